using System.Text.Json;
using EngineImage.Serving;

namespace EngineImage.Tests.Serving;

public sealed class GenerateBodyParserTests
{
    [Fact]
    public void Parse_PromptOnly_UsesJetStreamDefaults()
    {
        using var json = JsonDocument.Parse("""{"prompt": "hi"}""");
        var (body, error) = GenerateBodyParser.Parse(json.RootElement, 2048);

        Assert.Null(error);
        Assert.Equal(new GenerateBody("hi", 100, false, Inference.SamplingParams.Greedy, false), body);
    }

    [Fact]
    public void Parse_AllFields_ReadsThem()
    {
        using var json = JsonDocument.Parse(
            """{"prompt": "hi", "max_tokens": 7, "stream": true, "temperature": 0.7, "top_k": 40, "top_p": 0.9, "seed": 3, "return_token_ids": true, "extra": 1}""");
        var (body, error) = GenerateBodyParser.Parse(json.RootElement, 2048);

        Assert.Null(error);
        Assert.Equal(new GenerateBody("hi", 7, true, new Inference.SamplingParams(0.7f, 40, 0.9f, 3), true), body);
    }

    [Theory]
    [InlineData(100, 100)]
    [InlineData(101, 100)]
    public void Parse_MaxTokensAgainstCache_RefusesOnlyAboveIt(int maxTokens, int cache)
    {
        using var json = JsonDocument.Parse($$"""{"prompt": "hi", "max_tokens": {{maxTokens}}}""");
        var (_, error) = GenerateBodyParser.Parse(json.RootElement, cache);

        Assert.Equal(maxTokens > cache, error is not null);
        if (error is not null) Assert.Equal("max_tokens", error.Field);
    }
}
