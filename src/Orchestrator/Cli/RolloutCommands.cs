using System.CommandLine;
using System.Text.Json.Nodes;
using Contracts;

namespace Orchestrator.Cli;

/// <summary><c>apply -f FILE [--supersede] [--urgent] [--follow] [--json]</c> and <c>plan -f FILE [--urgent] [--json]</c>;
/// <c>--urgent</c> starts the run without waiting for a maintenance window.</summary>
public static class RolloutCommands
{
    public static Command Apply(CliContext context) =>
        Options.Command("apply", "submit a rollout (YAML or JSON; - for stdin); --follow shows steps, progress and logs until the run ends, exit 0 only on success",
                Options.Required("--file", "the rollout spec", "-f"), Options.Flag("--supersede", "cancel the environment's active run first"),
                Options.Flag("--urgent", "start without waiting for a maintenance window"), Options.Flag("--follow", "follow the run until it ends"))
            .WithOutput().Does(context, ApplyAsync);

    public static Command Plan(CliContext context) =>
        Options.Command("plan", "show the steps (and cloud requests) a rollout would run; writes nothing",
                Options.Required("--file", "the rollout spec", "-f"), Options.Flag("--urgent", "ignore maintenance windows"))
            .WithOutput().Does(context, PlanAsync);

    private static async Task<int> ApplyAsync(ParseResult parse, CliContext context)
    {
        var follow = parse.GetValue<bool>("--follow");
        if (follow && OutputFormat.Of(parse) != OutputFormat.Table) throw new UsageException("--follow and --output json|yaml cannot be combined: follow it with `orchestrator runs watch ID`");
        var spec = SpecFile.Read(parse.GetValue<string>("--file")!, context.In);
        using var api = Options.Api(parse);
        var query = string.Join('&', new[] { "supersede", "urgent" }.Where(flag => parse.GetValue<bool>("--" + flag)).Select(flag => flag + "=true"));
        var path = query.Length == 0 ? "api/rollouts" : $"api/rollouts?{query}";
        var run = await api.PostAsync(path, spec, context.Cancellation)
            ?? throw new InvalidOperationException("the server accepted the rollout but answered no run");
        if (await OutputFormat.TryWriteDataAsync(parse, context, run)) return 0;
        await context.Out.WriteLineAsync($"rollout {Json.Str(run, "revision")} of {Json.Str(run, "environment")} accepted: run {Json.Str(run, "id")} is {Json.Str(run, "status")}");
        if (RunView.StartsAt(run) is { } starts) await context.Out.WriteLineAsync(starts);
        if (!follow)
        {
            await context.Out.WriteLineAsync($"follow it with: orchestrator runs watch {Json.Str(run, "id")} (or runs logs {Json.Str(run, "id")} --follow)");
            return 0;
        }
        var final = await new RunFollower(api, new Terminal(context), context.Error, context.Time).FollowAsync(run, context.Cancellation);
        return Json.Str(final, "status") == RunStatuses.Succeeded ? 0 : 1;
    }

    private static async Task<int> PlanAsync(ParseResult parse, CliContext context)
    {
        var spec = SpecFile.Read(parse.GetValue<string>("--file")!, context.In);
        using var api = Options.Api(parse);
        var plan = await api.PostAsync(parse.GetValue<bool>("--urgent") ? "api/plan?urgent=true" : "api/plan", spec, context.Cancellation);
        if (await OutputFormat.TryWriteDataAsync(parse, context, plan)) return 0;
        await context.Out.WriteLineAsync($"plan for {Json.Str(plan, "environment")}, revision {Json.Str(plan, "revision")} (nothing was written)");
        if (plan is not null && RunView.StartsAt(plan) is { } starts) await context.Out.WriteLineAsync(starts);
        await context.Out.WriteAsync(PlanCostView.Render(plan));
        var table = new TableView("STEP", "KIND", "DEPENDS ON", "PARAMETERS");
        foreach (var step in Json.Items(plan?["steps"]))
        {
            var parameters = step["parameters"] is JsonObject { Count: > 0 } p ? p.ToJsonString() : "-";
            table.Add(Json.Str(step, "name"), Json.Str(step, "kind"), Json.List(step, "dependsOn"), parameters);
        }
        new Terminal(context).Write(table);
        await WriteCloudDetailsAsync(plan, context.Out);
        return 0;
    }

    // gke/kubernetes plans: each step's cloud calls, and its manifests as YAML (secrets are redacted by the server).
    private static async Task WriteCloudDetailsAsync(JsonNode? plan, TextWriter output)
    {
        foreach (var step in Json.Items(plan?["steps"]))
        {
            var requests = step["requests"] as JsonArray ?? [];
            var manifests = step["manifests"] as JsonArray ?? [];
            if (requests.Count == 0 && manifests.Count == 0) continue;
            await output.WriteLineAsync($"\n# {Json.Str(step, "name")}");
            foreach (var request in requests)
                await output.WriteLineAsync($"{Json.Str(request, "method")} {Json.Str(request, "url")}{(request?["body"] is JsonObject body ? " " + body.ToJsonString() : "")}");
            foreach (var manifest in manifests)
                await output.WriteAsync($"---\n{CloudTargets.Plan.YamlText.Write(manifest)}");
        }
    }
}
