using EngineImage.Tests.Fixtures;

namespace EngineImage.Tests.Checkpoints;

/// <summary>The make-test-model → convert → generate verbs as child processes, as the orchestrator's local target runs them.</summary>
[Collection(ModelsCollection.Name)]
public sealed class VerbTests(ModelsFixture models)
{
    [Fact]
    public async Task MakeConvertGenerate_AsProcesses_PrintIdsThenText()
    {
        var hf = Path.Combine(models.Root, "verbs-hf");
        var engine = Path.Combine(models.Root, "verbs-engine");
        var made = await EngineCli.RunAsync("make-test-model", "--family", "llama-3", "--size", "tiny", "--out", hf, "--seed", "3");
        Assert.Equal(0, made.ExitCode);
        var converted = await EngineCli.RunAsync("convert", "--in", hf, "--out", engine, "--quantize", "int8");
        Assert.Equal(0, converted.ExitCode);
        Assert.Contains("converted", converted.Stdout, StringComparison.Ordinal); // plain progress lines: stdout is not a terminal
        var ids = string.Join(",", models.Tokenizer("llama-3").Encode("Hello", addBos: true));
        var generated = await EngineCli.RunAsync("generate", "--model_name", "llama-3", "--size", "tiny",
            "--checkpoint_path", Path.Combine(engine, "model.safetensors"), "--tokenizer_path", Path.Combine(engine, "tokenizer.model"),
            "--token-ids", ids, "--max-tokens", "5", "--bf16_enable", "false");
        Assert.True(generated.ExitCode == 0, generated.Stderr);
        var lines = generated.Stdout.Split('\n');
        var tokens = lines[0].Split(',').Select(int.Parse).ToList();
        Assert.Equal(5, tokens.Count);
        Assert.Equal(models.Tokenizer("llama-3").Decode(tokens), lines[1]);
    }

    [Fact]
    public async Task Generate_ChecksumMismatch_ExitsNonZeroWithOneLine()
    {
        var dir = models.Copy(models.EngineDir("gemma", int8: false));
        File.AppendAllText(Path.Combine(dir, "tokenizer.model"), "x");
        var result = await EngineCli.RunAsync("generate", "--model_name", "gemma",
            "--checkpoint_path", Path.Combine(dir, "model.safetensors"), "--tokenizer_path", Path.Combine(dir, "tokenizer.model"),
            "--prompt", "hi", "--max-tokens", "2");
        Assert.Equal(1, result.ExitCode);
        Assert.StartsWith("generate: checksum mismatch", result.Stderr.Trim(), StringComparison.Ordinal);
    }
}
