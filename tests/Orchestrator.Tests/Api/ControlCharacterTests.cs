using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Orchestrator.Rollouts;
using Orchestrator.Tests.Infrastructure;

namespace Orchestrator.Tests.Api;

/// <summary>NUL and other control characters in a path, a query string or a JSON body are a 400 naming where they
/// are (PostgreSQL refuses NUL in text, which used to answer 500), and nothing is written.</summary>
public sealed class ControlCharacterTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    [Theory]
    [InlineData("/api/runs?environment=%00", "environment")]
    [InlineData("/api/runs?status=running%1b", "status")]
    [InlineData("/api/runs?%00=x", "query")]
    [InlineData("/api/environments/a%01b", "path")]
    [InlineData("/api/environments/a%7Fb/health", "path")]
    public async Task PathOrQuery_WithAControlCharacter_Is400NamingIt(string url, string field)
    {
        using var user = await UserClient.CreateAsync(fixture.Server);
        using var response = await user.Http.GetAsync(url);

        var problem = await ProblemAsync(response);
        Assert.True(problem["errors"]![field] is JsonArray, problem.ToJsonString());
    }

    /// <summary>Kestrel itself refuses a NUL in the path, before any middleware runs: a 400 without a body, which the
    /// application cannot turn into problem+json.</summary>
    [Fact]
    public async Task Path_WithANul_IsRefusedByKestrel()
    {
        using var user = await UserClient.CreateAsync(fixture.Server);
        using var response = await user.Http.GetAsync("/api/environments/a%00b");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    [Fact]
    public async Task Body_WithAnEscapedNul_Is400NamingTheField_AndNothingIsWritten()
    {
        using var user = await UserClient.CreateAsync(fixture.Server);
        var before = await fixture.Database.ScalarAsync<long>("SELECT count(*) FROM rollouts");
        var spec = """{"environment":"local","model":{"family":"llama-3","size":"tiny","source":"file:///m\u0000"}}""";

        using var response = await user.Http.PostAsync("/api/rollouts", new StringContent(spec, Encoding.UTF8, "application/json"));

        var problem = await ProblemAsync(response);
        Assert.True(problem["errors"]!["model.source"] is JsonArray, problem.ToJsonString());
        Assert.Equal(before, await fixture.Database.ScalarAsync<long>("SELECT count(*) FROM rollouts"));
    }

    [Theory]
    [InlineData("""{"a":"x\u0000"}""", "a")]
    [InlineData("""{"a":{"b":[1,"ok",{"c":"\u0000"}]}}""", "a.b[2].c")]
    [InlineData("""{"a":["x","y\u0000"]}""", "a[1]")]
    [InlineData("""{"k\u0000":1}""", "k\0")]
    [InlineData("""["\u0000"]""", "[0]")]
    [InlineData("\"\\u0000\"", "$")]
    public void JsonNul_NamesTheFieldThatHoldsIt(string json, string path) => Assert.Equal(path, JsonNul.Find(Encoding.UTF8.GetBytes(json)));

    [Theory]
    [InlineData("""{"a":"line\nbreak\t"}""")]
    [InlineData("""{"a":"x""")]
    public void JsonNul_OtherEscapesAndBrokenJson_AreNotItsConcern(string json) => Assert.Null(JsonNul.Find(Encoding.UTF8.GetBytes(json)));

    private static async Task<JsonObject> ProblemAsync(HttpResponseMessage response)
    {
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        return JsonNode.Parse(await response.Content.ReadAsStringAsync())!.AsObject();
    }
}
