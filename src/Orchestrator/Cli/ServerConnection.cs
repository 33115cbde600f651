using System.CommandLine;

namespace Orchestrator.Cli;

/// <summary>Where the client verbs talk to: <c>--server</c>/<c>--token</c>, else <c>ORCHESTRATOR_URL</c>/<c>ORCHESTRATOR_TOKEN</c>,
/// else what <c>orchestrator login</c> stored.</summary>
public sealed record ServerConnection(Uri Server, string Token)
{
    /// <summary>Every client verb takes these (they are recursive options of the root command).</summary>
    public static Option<string> ServerOption() => new("--server") { Description = "the orchestrator's URL (else ORCHESTRATOR_URL, else the stored login)", Recursive = true };

    public static Option<string> TokenOption() => new("--token") { Description = "a user token (else ORCHESTRATOR_TOKEN, else the stored login)", Recursive = true };

    public static ServerConnection Resolve(ParseResult parse)
    {
        ArgumentNullException.ThrowIfNull(parse);
        return Resolve(parse.GetValue<string>("--server"), parse.GetValue<string>("--token"));
    }

    public static ServerConnection Resolve(string? serverFlag, string? tokenFlag)
    {
        // Read only when needed: flags and variables work even where the stored login cannot be read.
        var stored = new Lazy<CliConfig?>(CliConfig.Load);
        var server = First(serverFlag, Environment.GetEnvironmentVariable("ORCHESTRATOR_URL")) ?? stored.Value?.Server
            ?? throw new UsageException("no server configured: run `orchestrator login --server URL` or set ORCHESTRATOR_URL");
        var token = First(tokenFlag, Environment.GetEnvironmentVariable("ORCHESTRATOR_TOKEN")) ?? stored.Value?.Token
            ?? throw new UsageException("no token configured: run `orchestrator login --server URL` or set ORCHESTRATOR_TOKEN");
        return new ServerConnection(ParseServer(server), token);
    }

    public static Uri ParseServer(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (!Uri.TryCreate(text.TrimEnd('/') + "/", UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
            throw new UsageException($"'{text}' is not an http(s) URL");
        return uri;
    }

    private static string? First(params string?[] candidates) => candidates.FirstOrDefault(c => !string.IsNullOrEmpty(c));
}
