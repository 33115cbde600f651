using System.Net;
using EngineImage.Cli;
using EngineImage.Serving;

namespace EngineImage.Tests.Serving;

public sealed class ServeOptionsTests
{
    /// <summary>The server arguments of the manual GKE procedure, verbatim.</summary>
    private static readonly string[] JetStreamArgs =
    [
        "--size=8b", "--model_name=llama-3", "--batch_size=32", "--max_cache_length=2048",
        "--quantize_weights=False", "--quantize_kv_cache=False",
        "--tokenizer_path=/models/pytorch/llama3-8b/final/bf16/tokenizer.model",
        "--checkpoint_path=/models/pytorch/llama3-8b/final/bf16/model.safetensors",
    ];

    [Fact]
    public void Parse_JetStreamManifestArgs_ReadsThemWithJetStreamDefaults()
    {
        var options = ServeOptions.Parse(JetStreamArgs);

        Assert.Equal("llama-3", options.Engine.ModelName);
        Assert.Equal("8b", options.Engine.Size);
        Assert.Equal(32, options.Engine.BatchSize);
        Assert.Equal(2048, options.Engine.MaxCacheLength);
        Assert.False(options.Engine.QuantizeWeights);
        Assert.False(options.Engine.QuantizeKvCache);
        Assert.True(options.Engine.Bf16Enable);
        Assert.Equal("/models/pytorch/llama3-8b/final/bf16/model.safetensors", options.Engine.CheckpointPath);
        Assert.Equal(IPAddress.Any, options.Host);
        Assert.Equal(9000, options.Port);
        Assert.Equal(128, options.QueueCapacity);
    }

    [Theory]
    [InlineData("--bf16_enable=False", false)]
    [InlineData("--bf16_enable=false", false)]
    [InlineData("--nobf16_enable", false)]
    [InlineData("--bf16_enable", true)]
    [InlineData("--bf16_enable=TRUE", true)]
    public void Parse_BooleanAsAbslReadsIt(string flag, bool expected)
    {
        Assert.Equal(expected, ServeOptions.Parse([.. JetStreamArgs, flag]).Engine.Bf16Enable);
    }

    [Theory]
    [InlineData("--batch_size=0")]
    [InlineData("--max_cache_length=1")]
    [InlineData("--port=70000")]
    [InlineData("--host=example.com")]
    [InlineData("--request_queue_size=0")]
    [InlineData("--model_name=mistral")]
    [InlineData("--prometheus_port=9100")]
    public void Parse_BadFlag_ThrowsNamingIt(string flag)
    {
        var name = flag[2..flag.IndexOf('=', StringComparison.Ordinal)];
        var error = Assert.Throws<FlagException>(() => ServeOptions.Parse([.. JetStreamArgs, flag]));
        Assert.Contains(name, error.Message, StringComparison.Ordinal);
    }
}
