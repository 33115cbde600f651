using System.Net;
using System.Text;
using System.Text.Json;

namespace EngineImage.Tests.Serving;

/// <summary>Every malformed <c>/generate</c> body gets a 400 problem that names the field at fault.</summary>
[Collection(ServingCollection.Name)]
public sealed class BadInputTests(TinyModelFixture model)
{
    public static TheoryData<string, string?, string> Bodies => new()
    {
        { "{\"prompt\": \"hi\"", null, "not valid JSON" },
        { "not json at all", null, "not valid JSON" },
        { "[\"hi\"]", null, "JSON object" },
        { "{}", "prompt", "prompt is required" },
        { "{\"max_tokens\": 5}", "prompt", "prompt is required" },
        { "{\"prompt\": 42}", "prompt", "prompt must be a string" },
        { "{\"prompt\": [\"a\"]}", "prompt", "prompt must be a string" },
        { "{\"prompt\": \"hi\", \"max_tokens\": \"10\"}", "max_tokens", "max_tokens must be an integer" },
        { "{\"prompt\": \"hi\", \"max_tokens\": 1.5}", "max_tokens", "max_tokens must be an integer" },
        { "{\"prompt\": \"hi\", \"max_tokens\": 0}", "max_tokens", "max_tokens must be between 1" },
        { "{\"prompt\": \"hi\", \"max_tokens\": -4}", "max_tokens", "max_tokens must be between 1" },
        { "{\"prompt\": \"hi\", \"max_tokens\": 257}", "max_tokens", "max_tokens must be between 1 and the cache length 256" },
        { "{\"prompt\": \"hi\", \"stream\": \"yes\"}", "stream", "stream must be true or false" },
        { "{\"prompt\": \"hi\", \"temperature\": \"hot\"}", "temperature", "temperature must be a number" },
        { "{\"prompt\": \"hi\", \"temperature\": -1}", "temperature", "temperature must be 0" },
        { "{\"prompt\": \"hi\", \"top_p\": 0}", "top_p", "top_p must be in" },
        { "{\"prompt\": \"hi\", \"top_k\": 2.5}", "top_k", "top_k must be an integer" },
        { "{\"prompt\": \"hi\", \"seed\": \"x\"}", "seed", "seed must be an integer" },
        { "{\"prompt\": \"" + string.Concat(Enumerable.Repeat("word ", 600)) + "\"}", "prompt", "longer than the cache length 256" },
    };

    [Theory]
    [MemberData(nameof(Bodies))]
    public async Task Generate_BadBody_Answers400NamingTheField(string body, string? field, string message)
    {
        using var content = new StringContent(body, Encoding.UTF8, "application/json");
        var server = await model.SharedServerAsync();
        using var response = await server.Client.PostAsync("/generate", content);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var title = problem.RootElement.GetProperty("title").GetString()!;
        Assert.Contains(message, title, StringComparison.Ordinal);
        var named = problem.RootElement.GetProperty("field");
        Assert.Equal(field, named.ValueKind == JsonValueKind.Null ? null : named.GetString());
        if (field is not null) Assert.Contains(field, title, StringComparison.Ordinal);
    }
}
