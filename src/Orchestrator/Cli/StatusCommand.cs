using System.CommandLine;
using System.Text.Json.Nodes;

namespace Orchestrator.Cli;

/// <summary><c>orchestrator status</c>: whether the server answers (and is ready), who the token belongs to, how many
/// runners are online, and every environment with its health. Exit 1 when the server cannot be reached or refuses.</summary>
public static class StatusCommand
{
    public static Command Build(CliContext context) =>
        Options.Command("status", "server reachable, who am I, runners online, environments and their health").WithOutput().Does(context, RunAsync);

    private static async Task<int> RunAsync(ParseResult parse, CliContext context)
    {
        using var api = Options.Api(parse);
        var ready = await ReadyAsync(api, context.Cancellation);
        var whoami = await api.GetAsync("api/whoami", context.Cancellation);
        var runners = Json.Items(await api.GetAsync("api/runners", context.Cancellation)).ToList();
        var environments = await api.GetAsync("api/environments", context.Cancellation);
        var online = runners.Count(r => Json.Str(r, "status") is "idle" or "busy");
        var status = new JsonObject
        {
            ["server"] = api.Server.ToString(),
            ["ready"] = ready is null,
            ["notReadyBecause"] = ready,
            ["user"] = whoami?.DeepClone(),
            ["runners"] = new JsonObject { ["online"] = online, ["busy"] = runners.Count(r => Json.Str(r, "status") == "busy"), ["total"] = runners.Count },
            ["environments"] = new JsonArray([.. Json.Items(environments).Select(e => new JsonObject
            {
                ["name"] = Json.Str(e, "name"), ["targetKind"] = Json.Str(e, "targetKind"), ["healthStatus"] = Json.Str(e, "healthStatus"),
                ["stableRevision"] = e["state"]?["stableRevision"]?.DeepClone(), ["canaryRevision"] = e["state"]?["canaryRevision"]?.DeepClone(),
            })]),
        };
        if (await OutputFormat.TryWriteDataAsync(parse, context, status)) return 0;
        var terminal = new Terminal(context);
        terminal.WriteLine($"server:       {api.Server} {(ready is null ? "reachable, ready" : $"reachable, not ready ({ready})")}");
        var scope = whoami?["environments"] is System.Text.Json.Nodes.JsonArray limited ? $", limited to {string.Join(",", limited.Select(e => e?.GetValue<string>()))}" : "";
        var role = Json.Str(whoami, "role") is { Length: > 0 } r ? $", {r}{scope}" : "";
        terminal.WriteLine($"signed in as: {Json.Str(whoami, "name")} ({Json.Str(whoami, "kind")} token{role})");
        terminal.WriteLine($"runners:      {online} online ({status["runners"]!["busy"]} busy) of {runners.Count}"
            + (online == 0 ? ": no step can run until one starts (orchestrator runner run --server URL …)" : ""));
        var table = new TableView("ENVIRONMENT", "TARGET", "HEALTH", "STABLE", "CANARY");
        foreach (var e in Json.Items(status["environments"]))
            table.Add(new Spectre.Console.Text(Json.Str(e, "name")), new Spectre.Console.Text(Json.Str(e, "targetKind")), TableView.Status(Json.Str(e, "healthStatus")),
                new Spectre.Console.Text(Json.OrDash(Json.Str(e, "stableRevision"))), new Spectre.Console.Text(Json.OrDash(Json.Str(e, "canaryRevision"))));
        if (table.Count == 0) terminal.WriteLine("environments: none (orchestrator environments create NAME --target local)");
        else terminal.Write(table);
        return 0;
    }

    /// <returns>null when <c>/readyz</c> says ready, else why not.</returns>
    private static async Task<string?> ReadyAsync(ApiClient api, CancellationToken cancellationToken)
    {
        try
        {
            await api.GetAsync("readyz", cancellationToken);
            return null;
        }
        catch (ApiProblemException e)
        {
            return e.Detail ?? e.Title;
        }
    }
}
