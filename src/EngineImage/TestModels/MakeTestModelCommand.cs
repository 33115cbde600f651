using EngineImage.Cli;

namespace EngineImage.TestModels;

/// <summary><c>make-test-model --family llama-3|gemma --size tiny|small --out DIR [--seed N]</c>.</summary>
public static class MakeTestModelCommand
{
    public static Task<int> RunAsync(string[] args)
    {
        var flags = Flags.Parse(args, new HashSet<string>());
        var family = flags.Required("family");
        var size = flags.Required("size");
        var output = flags.Required("out");
        var seed = flags.Int("seed", 0);
        flags.RejectUnknown();
        if (family is not ("llama-3" or "gemma")) throw new FlagException($"--family must be llama-3 or gemma, got '{family}'");
        if (size is not ("tiny" or "small")) throw new FlagException($"--size must be tiny or small, got '{size}'");
        var config = TestModelWriter.Write(family, size, output, seed);
        Console.WriteLine($"wrote {family} {size} ({config.ParameterCount:N0} parameters, vocab {config.VocabSize}) to {output}");
        return Task.FromResult(0);
    }
}
