using System.Text.Json.Nodes;

namespace Orchestrator.Cli;

/// <summary><c>environments list|show NAME</c> (with the cost guard's teardown time) and <c>runners list|remove ID</c>.</summary>
public static class ListCommands
{
    public static Task<int> EnvironmentsAsync(string[] args, CliContext context) => args switch
    {
        [] or ["list", ..] => ListEnvironmentsAsync(args.Skip(1).ToList(), context),
        ["show", .. var rest] => ShowEnvironmentAsync(rest, context),
        ["teardown", .. var rest] => TeardownCommand.RunAsync(rest, context),
        ["health", .. var rest] => HealthCommand.RunAsync(rest, context),
        ["extend", .. var rest] => ExtendCommand.RunAsync(rest, context),
        [var other, ..] => throw new UsageException($"unknown subcommand 'environments {other}' (list, show, health, teardown, extend)"),
    };

    public static Task<int> RunnersAsync(string[] args, CliContext context) => args switch
    {
        [] or ["list", ..] => ListRunnersAsync(args.Skip(1).ToList(), context),
        ["remove", .. var rest] => RemoveRunnerAsync(rest, context),
        [var other, ..] => throw new UsageException($"unknown subcommand 'runners {other}' (list, remove)"),
    };

    private static async Task<int> ListEnvironmentsAsync(IReadOnlyList<string> rawArgs, CliContext context)
    {
        var args = CliArgs.Parse(rawArgs, [], ["json"]);
        args.NoPositionals();
        using var api = new ApiClient(ServerConnection.Resolve(args));
        var environments = await api.GetAsync("api/environments", context.Cancellation);
        if (args.Has("json"))
        {
            await context.Out.WriteLineAsync(Json.Pretty(environments));
            return 0;
        }
        var table = new Table("NAME", "TARGET", "STABLE", "CANARY", "WEIGHT", "FRONT");
        foreach (var environment in Json.Items(environments)) table.Add(EnvironmentCells(environment));
        await context.Out.WriteAsync(table.ToString());
        return 0;
    }

    private static async Task<int> ShowEnvironmentAsync(IReadOnlyList<string> rawArgs, CliContext context)
    {
        var args = CliArgs.Parse(rawArgs, [], ["json"]);
        var name = args.Single("environment name");
        using var api = new ApiClient(ServerConnection.Resolve(args));
        var environment = await api.GetAsync($"api/environments/{Uri.EscapeDataString(name)}", context.Cancellation);
        if (args.Has("json") || environment is null)
        {
            await context.Out.WriteLineAsync(Json.Pretty(environment));
            return 0;
        }
        var table = new Table("NAME", "TARGET", "STABLE", "CANARY", "WEIGHT", "FRONT");
        table.Add(EnvironmentCells(environment));
        await context.Out.WriteAsync(table.ToString());
        await context.Out.WriteLineAsync($"health: {Json.Str(environment, "healthStatus")}, probed every {Json.Str(environment["health"], "interval")} (orchestrator environments health {name})");
        if (environment["approval"]?["required"]?.GetValue<bool>() == true)
            await context.Out.WriteLineAsync("approval: every run waits for a user's approval (orchestrator runs approve ID)");
        if (environment["state"]?["lastRollback"] is { } rollback)
            await context.Out.WriteLineAsync(
                $"last rollback: {Json.Str(rollback, "revision")} -> {Json.OrDash(Json.Str(rollback, "toRevision"))} at {Json.Str(rollback, "at")}: {Json.Str(rollback, "reason")}");
        await context.Out.WriteLineAsync(Json.Time(environment, "teardownAt") is { } teardownAt
            ? $"teardown: at {Json.Str(environment, "teardownAt")}, in {Json.Duration(teardownAt - context.Time.GetUtcNow())} (cleanup.teardownAfter; orchestrator environments extend {name} 4h)"
            : "teardown: none scheduled");
        await context.Out.WriteLineAsync($"state: {(environment["state"] ?? new JsonObject()).ToJsonString()}");
        return 0;
    }

    private static string[] EnvironmentCells(JsonNode environment)
    {
        var state = environment["state"];
        return [Json.Str(environment, "name"), Json.Str(environment, "targetKind"), Json.OrDash(Json.Str(state, "stableRevision")),
            Json.OrDash(Json.Str(state, "canaryRevision")), Json.OrDash(Json.Str(state, "canaryWeight")), Json.OrDash(Json.Str(state, "frontUrl"))];
    }

    private static async Task<int> ListRunnersAsync(IReadOnlyList<string> rawArgs, CliContext context)
    {
        var args = CliArgs.Parse(rawArgs, [], ["json"]);
        args.NoPositionals();
        using var api = new ApiClient(ServerConnection.Resolve(args));
        var runners = await api.GetAsync("api/runners", context.Cancellation);
        if (args.Has("json"))
        {
            await context.Out.WriteLineAsync(Json.Pretty(runners));
            return 0;
        }
        var now = context.Time.GetUtcNow();
        var table = new Table("ID", "NAME", "LABELS", "STATUS", "LAST SEEN", "CURRENT STEP");
        foreach (var runner in Json.Items(runners))
        {
            table.Add(Json.Str(runner, "id"), Json.Str(runner, "name"), Json.List(runner, "labels"), Json.OrDash(Json.Str(runner, "status")),
                Json.Ago(Json.Time(runner, "lastSeenAt"), now), Json.OrDash(Json.Str(runner, "currentStepId")));
        }
        await context.Out.WriteAsync(table.ToString());
        return 0;
    }

    private static async Task<int> RemoveRunnerAsync(IReadOnlyList<string> rawArgs, CliContext context)
    {
        var args = CliArgs.Parse(rawArgs, [], []);
        var id = args.Single("runner id");
        using var api = new ApiClient(ServerConnection.Resolve(args));
        await api.SendAsync(HttpMethod.Delete, $"api/runners/{Uri.EscapeDataString(id)}", null, context.Cancellation);
        await context.Out.WriteLineAsync($"runner {id} removed");
        return 0;
    }
}
