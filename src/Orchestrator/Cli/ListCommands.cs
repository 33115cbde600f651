using System.CommandLine;
using System.Text.Json.Nodes;

namespace Orchestrator.Cli;

/// <summary><c>environments list|show NAME</c> (with the cost guard's teardown time) and <c>runners list|remove ID</c>.</summary>
public static class ListCommands
{
    public static Command Runners(CliContext context)
    {
        var runners = new Command("runners", "runners: list, remove");
        runners.Add(Options.Command("list", "runners with their labels, status and current step").WithOutput().Does(context, ListRunnersAsync));
        runners.Add(Options.Command("remove", "forget a runner (its credential stops working)", Options.Arg("ID", "the runner's id")).Does(context, RemoveRunnerAsync));
        return runners;
    }

    internal static async Task<int> ListEnvironmentsAsync(ParseResult parse, CliContext context)
    {
        using var api = Options.Api(parse);
        var environments = await api.GetAsync("api/environments", context.Cancellation);
        if (await OutputFormat.TryWriteDataAsync(parse, context, environments)) return 0;
        var table = new TableView("NAME", "TARGET", "STABLE", "CANARY", "WEIGHT", "FRONT", "HEALTH");
        foreach (var environment in Json.Items(environments))
            table.Add([.. EnvironmentCells(environment).Select(c => (Spectre.Console.Rendering.IRenderable)new Spectre.Console.Text(c)), TableView.Status(Json.Str(environment, "healthStatus"))]);
        new Terminal(context).Write(table);
        return 0;
    }

    internal static async Task<int> ShowEnvironmentAsync(ParseResult parse, CliContext context)
    {
        var name = parse.GetValue<string>("NAME")!;
        using var api = Options.Api(parse);
        var environment = await api.GetAsync($"api/environments/{Uri.EscapeDataString(name)}", context.Cancellation);
        if (await OutputFormat.TryWriteDataAsync(parse, context, environment)) return 0;
        if (environment is null)
        {
            await context.Out.WriteLineAsync("null");
            return 0;
        }
        var table = new TableView("NAME", "TARGET", "STABLE", "CANARY", "WEIGHT", "FRONT");
        table.Add(EnvironmentCells(environment));
        new Terminal(context).Write(table);
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

    internal static string[] EnvironmentCells(JsonNode environment)
    {
        var state = environment["state"];
        return [Json.Str(environment, "name"), Json.Str(environment, "targetKind"), Json.OrDash(Json.Str(state, "stableRevision")),
            Json.OrDash(Json.Str(state, "canaryRevision")), Json.OrDash(Json.Str(state, "canaryWeight")), Json.OrDash(Json.Str(state, "frontUrl"))];
    }

    private static async Task<int> ListRunnersAsync(ParseResult parse, CliContext context)
    {
        using var api = Options.Api(parse);
        var runners = await api.GetAsync("api/runners", context.Cancellation);
        if (await OutputFormat.TryWriteDataAsync(parse, context, runners)) return 0;
        var now = context.Time.GetUtcNow();
        var table = new TableView("ID", "NAME", "LABELS", "STATUS", "LAST SEEN", "CURRENT STEP");
        foreach (var runner in Json.Items(runners))
        {
            table.Add(Json.Str(runner, "id"), Json.Str(runner, "name"), Json.List(runner, "labels"), Json.OrDash(Json.Str(runner, "status")),
                Json.Ago(Json.Time(runner, "lastSeenAt"), now), Json.OrDash(Json.Str(runner, "currentStepId")));
        }
        new Terminal(context).Write(table);
        return 0;
    }

    private static async Task<int> RemoveRunnerAsync(ParseResult parse, CliContext context)
    {
        var id = parse.GetValue<string>("ID")!;
        using var api = Options.Api(parse);
        await api.SendAsync(HttpMethod.Delete, $"api/runners/{Uri.EscapeDataString(id)}", null, context.Cancellation);
        await context.Out.WriteLineAsync($"runner {id} removed");
        return 0;
    }
}
