namespace Orchestrator.Cli;

/// <summary>The client half of the <c>orchestrator</c> program: every verb that talks to a running service.</summary>
public static class CliApp
{
    // Placeholder until the client verbs are written (issue 3).
    public static Task<int> RunAsync(string[] args)
    {
        ArgumentNullException.ThrowIfNull(args);
        Console.Error.WriteLine("not implemented yet");
        return Task.FromResult(1);
    }
}
