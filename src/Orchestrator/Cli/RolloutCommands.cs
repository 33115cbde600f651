using System.Text.Json.Nodes;
using Contracts;

namespace Orchestrator.Cli;

/// <summary><c>apply -f FILE [--supersede] [--urgent] [--follow] [--json]</c> and <c>plan -f FILE [--urgent] [--json]</c>;
/// <c>--urgent</c> starts the run without waiting for a maintenance window.</summary>
public static class RolloutCommands
{
    public static async Task<int> ApplyAsync(IReadOnlyList<string> rawArgs, CliContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var args = CliArgs.Parse(rawArgs, ["file"], ["supersede", "urgent", "follow", "json"]);
        args.NoPositionals();
        if (args.Has("follow") && args.Has("json")) throw new UsageException("--follow and --json cannot be combined");
        var spec = SpecFile.Read(args.Required("file"), context.In);
        using var api = new ApiClient(ServerConnection.Resolve(args));
        var query = string.Join('&', new[] { "supersede", "urgent" }.Where(args.Has).Select(flag => flag + "=true"));
        var path = query.Length == 0 ? "api/rollouts" : $"api/rollouts?{query}";
        var run = await api.PostAsync(path, spec, context.Cancellation)
            ?? throw new InvalidOperationException("the server accepted the rollout but answered no run");
        if (args.Has("json"))
        {
            await context.Out.WriteLineAsync(Json.Pretty(run));
            return 0;
        }
        await context.Out.WriteLineAsync($"rollout {Json.Str(run, "revision")} of {Json.Str(run, "environment")} accepted: run {Json.Str(run, "id")} is {Json.Str(run, "status")}");
        if (RunView.StartsAt(run) is { } starts) await context.Out.WriteLineAsync(starts);
        if (!args.Has("follow"))
        {
            await context.Out.WriteLineAsync($"follow it with: orchestrator runs logs {Json.Str(run, "id")} --follow");
            return 0;
        }
        var final = await new RunFollower(api, context.Out, context.Error, context.Time).FollowAsync(run, context.Cancellation);
        return Json.Str(final, "status") == RunStatuses.Succeeded ? 0 : 1;
    }

    public static async Task<int> PlanAsync(IReadOnlyList<string> rawArgs, CliContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var args = CliArgs.Parse(rawArgs, ["file"], ["urgent", "json"]);
        args.NoPositionals();
        var spec = SpecFile.Read(args.Required("file"), context.In);
        using var api = new ApiClient(ServerConnection.Resolve(args));
        var plan = await api.PostAsync(args.Has("urgent") ? "api/plan?urgent=true" : "api/plan", spec, context.Cancellation);
        if (args.Has("json"))
        {
            await context.Out.WriteLineAsync(Json.Pretty(plan));
            return 0;
        }
        await context.Out.WriteLineAsync($"plan for {Json.Str(plan, "environment")}, revision {Json.Str(plan, "revision")} (nothing was written)");
        if (plan is not null && RunView.StartsAt(plan) is { } starts) await context.Out.WriteLineAsync(starts);
        await context.Out.WriteAsync(PlanCostView.Render(plan));
        var table = new Table("STEP", "KIND", "DEPENDS ON", "PARAMETERS");
        foreach (var step in Json.Items(plan?["steps"]))
        {
            var parameters = step["parameters"] is JsonObject { Count: > 0 } p ? p.ToJsonString() : "-";
            table.Add(Json.Str(step, "name"), Json.Str(step, "kind"), Json.List(step, "dependsOn"), parameters);
        }
        await context.Out.WriteAsync(table.ToString());
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
