using EngineImage.Cli;

namespace EngineImage.Serving;

/// <summary>
/// <c>engine serve</c>: JetStream-PyTorch's server flags, then, in this order: bad flags → one line, exit 2; a missing
/// or corrupt checkpoint → one line, exit 1, before the port is bound; bind and log <c>Started jetstream_server....</c>;
/// load the weights in the background (<c>/healthcheck</c> answers 500 meanwhile); serve until SIGTERM/SIGINT, then
/// stop taking requests, give in-flight ones the grace period and exit 0.
/// </summary>
public static class ServeCommand
{
    public static async Task<int> RunAsync(string[] args)
    {
        var options = ServeOptions.Parse(args);
        if (EngineLoaders.Validate(options.Engine) is { } problem)
        {
            await Console.Error.WriteLineAsync($"engine serve: {problem}");
            return 1;
        }
        await using var app = ServingHost.Build(options, EngineLoaders.Default);
        try
        {
            await app.RunAsync();
        }
        catch (IOException e)
        {
            // Kestrel could not bind (address in use, no permission).
            await Console.Error.WriteLineAsync($"engine serve: cannot listen on {options.Host}:{options.Port}: {e.Message}");
            return 1;
        }
        return Environment.ExitCode;
    }
}
