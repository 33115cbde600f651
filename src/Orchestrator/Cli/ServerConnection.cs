namespace Orchestrator.Cli;

/// <summary>Where the client verbs talk to: <c>--server</c>/<c>--token</c>, else <c>ORCHESTRATOR_URL</c>/<c>ORCHESTRATOR_TOKEN</c>,
/// else what <c>orchestrator login</c> stored.</summary>
public sealed record ServerConnection(Uri Server, string Token)
{
    public static ServerConnection Resolve(CliArgs args)
    {
        ArgumentNullException.ThrowIfNull(args);
        // Read only when needed: flags and variables work even where the stored login cannot be read.
        var stored = new Lazy<CliConfig?>(CliConfig.Load);
        var server = First(args.Value("server"), Environment.GetEnvironmentVariable("ORCHESTRATOR_URL")) ?? stored.Value?.Server
            ?? throw new UsageException("no server configured: run `orchestrator login --server URL` or set ORCHESTRATOR_URL");
        var token = First(args.Value("token"), Environment.GetEnvironmentVariable("ORCHESTRATOR_TOKEN")) ?? stored.Value?.Token
            ?? throw new UsageException("no token configured: run `orchestrator login --server URL` or set ORCHESTRATOR_TOKEN");
        return new ServerConnection(ParseServer(server), token);
    }

    public static Uri ParseServer(string text)
    {
        if (!Uri.TryCreate(text.TrimEnd('/') + "/", UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
            throw new UsageException($"'{text}' is not an http(s) URL");
        return uri;
    }

    private static string? First(params string?[] candidates) => candidates.FirstOrDefault(c => !string.IsNullOrEmpty(c));
}
