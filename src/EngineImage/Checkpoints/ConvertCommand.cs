using EngineImage.Cli;

namespace EngineImage.Checkpoints;

/// <summary><c>convert --in HF_DIR --out DIR [--quantize none|int8] [--layout engine|jetstream-pytorch]</c>; refusals print one line and exit 1.</summary>
public static class ConvertCommand
{
    public static Task<int> RunAsync(string[] args)
    {
        var flags = Flags.Parse(args, new HashSet<string>());
        var input = flags.Required("in");
        var output = flags.Required("out");
        var quantize = flags.String("quantize", "none");
        var layoutName = flags.String("layout", CheckpointLayouts.EngineName);
        flags.RejectUnknown();
        if (quantize is not ("none" or "int8")) throw new FlagException($"--quantize must be none or int8, got '{quantize}'");
        var layout = CheckpointLayouts.Parse(layoutName ?? CheckpointLayouts.EngineName)
            ?? throw new FlagException($"--layout must be {CheckpointLayouts.EngineName} or {CheckpointLayouts.JetStreamPyTorchName}, got '{layoutName}'");
        var terminal = !Console.IsOutputRedirected;
        var lastPercent = -1;
        try
        {
            var manifest = CheckpointConverter.Convert(input, output, quantize == "int8", (done, total, name) =>
            {
                if (terminal)
                {
                    Console.Write($"\r[{done,5}/{total}] {name,-60}");
                    return;
                }
                var percent = done * 10 / total * 10;
                if (percent == lastPercent) return;
                lastPercent = percent;
                Console.WriteLine($"converted {done}/{total} tensors ({percent}%)");
            }, layout);
            if (terminal) Console.WriteLine();
            Console.WriteLine($"wrote {manifest.Family} {manifest.Size} ({manifest.Quantization}, {manifest.Layout} layout) to {output}");
            return Task.FromResult(0);
        }
        catch (ConvertRefusedException e)
        {
            if (terminal) Console.WriteLine();
            Console.Error.WriteLine($"convert: {e.Message}");
            return Task.FromResult(1);
        }
    }
}
