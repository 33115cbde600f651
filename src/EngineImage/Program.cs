using EngineImage.Cli;

// One program, several verbs (see README): make-test-model, convert, serve, generate, bench.
try
{
    return args switch
    {
        ["make-test-model", .. var rest] => await EngineImage.TestModels.MakeTestModelCommand.RunAsync(rest),
        ["convert", .. var rest] => await EngineImage.Checkpoints.ConvertCommand.RunAsync(rest),
        ["serve", .. var rest] => await EngineImage.Serving.ServeCommand.RunAsync(rest),
        ["generate", .. var rest] => await EngineImage.Inference.GenerateCommand.RunAsync(rest),
        ["bench", .. var rest] => await EngineImage.Benchmarking.BenchCommand.RunAsync(rest),
        _ => Usage(),
    };
}
catch (FlagException e)
{
    await Console.Error.WriteLineAsync($"engine: {e.Message}");
    return 2;
}

static int Usage()
{
    Console.Error.WriteLine("usage: engine make-test-model|convert|serve|generate|bench [--flags]");
    return 2;
}
