namespace EngineImage.Serving;

public static class ServeCommand
{
    // Placeholder until the verb is written (issue 2).
    public static Task<int> RunAsync(string[] args)
    {
        ArgumentNullException.ThrowIfNull(args);
        Console.Error.WriteLine("not implemented yet");
        return Task.FromResult(1);
    }
}
