using System.CommandLine;

namespace Orchestrator.Cli;

/// <summary><c>orchestrator login --server URL [--token T]</c>: checks the token against the server, then stores both.</summary>
public static class LoginCommand
{
    public static Command Build(CliContext context) =>
        Options.Command("login", "verify and store the server and a user token (read from stdin when --token is absent)").Does(context, RunAsync);

    private static async Task<int> RunAsync(ParseResult parse, CliContext context)
    {
        var server = ServerConnection.ParseServer(parse.GetValue<string>("--server") is { Length: > 0 } s ? s : throw new UsageException("--server is required: orchestrator login --server URL"));
        var token = parse.GetValue<string>("--token") ?? ReadToken(context);
        if (token.Length == 0) throw new UsageException("no token given: pass --token or write it on stdin");

        using var api = new ApiClient(new ServerConnection(server, token));
        // Any user endpoint proves the token: 401 for an unknown token, 403 for a runner or registration token.
        await api.GetAsync("api/environments", context.Cancellation);
        new CliConfig(server.ToString().TrimEnd('/'), token).Save();
        await context.Out.WriteLineAsync($"logged in to {server.ToString().TrimEnd('/')} (stored in {CliConfig.FilePath})");
        return 0;
    }

    private static string ReadToken(CliContext context)
    {
        if (!context.InputIsTerminal) return (context.In.ReadLine() ?? "").Trim();
        // Read without echo: the token is a credential.
        return HiddenInput.Read(context, "token (orch_u_…): ").Trim();
    }
}
