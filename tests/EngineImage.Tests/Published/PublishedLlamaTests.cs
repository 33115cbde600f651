using System.Text.Json.Nodes;
using EngineImage.Checkpoints;
using EngineImage.Inference;
using EngineImage.Model;
using EngineImage.Tests.Fixtures;
using EngineImage.Tokenization;

namespace EngineImage.Tests.Published;

/// <summary>Llama 3.1/3.2 directories as published: converted sharded or not, or served as they are, the weights give
/// the same logits.</summary>
[Collection(ModelsCollection.Name)]
public sealed class PublishedLlamaTests(ModelsFixture models)
{
    private string NewDir() => Path.Combine(models.Root, "published-" + Guid.NewGuid().ToString("N"));

    private static EngineOptions Options(string checkpoint, string tokenizer) => new()
    {
        ModelName = "llama-3", CheckpointPath = checkpoint, TokenizerPath = tokenizer, BatchSize = 1, MaxCacheLength = 64,
    };

    private float[] Logits(string checkpoint, string tokenizer, int[] tokens)
    {
        using var model = ModelLoader.LoadTransformer(Options(checkpoint, tokenizer));
        using var logits = model.PrefillLogits(0, tokens, lastOnly: false);
        return logits.data<float>().ToArray();
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Convert_ShardedAndSingleFile_GiveTheSameLogitsAsServingTheDirectory(bool tied)
    {
        var sharded = PublishedDirectory.Llama(models.HfDir("llama-3"), NewDir(), sharded: true, tied);
        var single = PublishedDirectory.Llama(models.HfDir("llama-3"), NewDir(), sharded: false, tied);
        Assert.True(File.Exists(Path.Combine(sharded, "model-00002-of-00002.safetensors")));
        var (fromSharded, fromSingle) = (NewDir(), NewDir());
        CheckpointConverter.Convert(sharded, fromSharded, int8: false);
        CheckpointConverter.Convert(single, fromSingle, int8: false);

        var tokens = models.Tokenizer("llama-3").Encode("The quick brown fox jumps over the lazy dog.", addBos: true).ToArray();
        var a = Logits(Path.Combine(fromSharded, "model.safetensors"), Path.Combine(fromSharded, "tokenizer.model"), tokens);
        var b = Logits(Path.Combine(fromSingle, "model.safetensors"), Path.Combine(fromSingle, "tokenizer.model"), tokens);
        var direct = Logits(sharded, Path.Combine(sharded, HfTokenizerJson.FileName), tokens);
        Assert.Equal(a, b);
        Assert.Equal(a, direct);

        var config = ModelLoader.ReadConfig(Options(Path.Combine(fromSharded, "model.safetensors"), ""));
        Assert.Equal(tied, config.TiedOutput);
        Assert.Equal(new Llama3RopeScaling(32, 1, 4, 8192), config.RopeScaling);
        var ranks = models.Tokenizer("llama-3").BosId!.Value;
        Assert.Equal(PublishedDirectory.EosIds(ranks), config.EosTokenIds);
        foreach (var file in new[] { "tokenizer.json", "tokenizer_config.json", "generation_config.json" })
            Assert.True(File.Exists(Path.Combine(fromSharded, file)), file);
    }

    [Fact]
    public void Convert_Tied_DiffersFromUntiedOnlyByTheOutput()
    {
        // A tied checkpoint must use the embedding as output: dropping lm_head changes the logits.
        var tied = PublishedDirectory.Llama(models.HfDir("llama-3"), NewDir(), sharded: false, tied: true);
        var untied = PublishedDirectory.Llama(models.HfDir("llama-3"), NewDir(), sharded: false, tied: false);
        var tokens = new[] { models.Tokenizer("llama-3").BosId!.Value, 40, 41 };
        Assert.NotEqual(Logits(tied, Path.Combine(tied, "original", "tokenizer.model"), tokens),
            Logits(untied, Path.Combine(untied, "original", "tokenizer.model"), tokens));
    }

    [Fact]
    public void Convert_OnlyTokenizerJson_WritesTheSameTiktokenFile()
    {
        var dir = PublishedDirectory.Llama(models.HfDir("llama-3"), NewDir(), sharded: true, tied: false);
        Directory.Delete(Path.Combine(dir, "original"), recursive: true);
        var output = NewDir();
        CheckpointConverter.Convert(dir, output, int8: false);
        Assert.Equal(File.ReadAllBytes(Path.Combine(models.HfDir("llama-3"), "tokenizer.model")), File.ReadAllBytes(Path.Combine(output, "tokenizer.model")));
    }

    [Fact]
    public void Convert_TokenizerFilesDisagree_Refuses()
    {
        var dir = PublishedDirectory.Llama(models.HfDir("llama-3"), NewDir(), sharded: false, tied: false);
        var tiktoken = Path.Combine(dir, "original", "tokenizer.model");
        var lines = File.ReadAllLines(tiktoken);
        (lines[300], lines[301]) = ($"{lines[301].Split(' ')[0]} 300", $"{lines[300].Split(' ')[0]} 301");
        File.WriteAllLines(tiktoken, lines);
        var e = Assert.Throws<ConvertRefusedException>(() => CheckpointConverter.Convert(dir, NewDir(), int8: false));
        Assert.Contains("disagree on the token with id 300", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Serve_GenerationConfigEos_StopsGeneration()
    {
        var dir = PublishedDirectory.Llama(models.HfDir("llama-3"), NewDir(), sharded: false, tied: false);
        var output = NewDir();
        CheckpointConverter.Convert(dir, output, int8: false);
        var config = ModelLoader.ReadConfig(Options(Path.Combine(output, "model.safetensors"), ""));
        var tokenizer = WithEndTokens.Wrap(TokenizerLoader.Load("llama-3", Path.Combine(output, "tokenizer.model")), config.EosTokenIds);
        var eom = models.Tokenizer("llama-3").BosId!.Value + 8;
        Assert.False(models.Tokenizer("llama-3").IsEndOfSequence(eom));
        Assert.True(tokenizer.IsEndOfSequence(eom));
    }
}
