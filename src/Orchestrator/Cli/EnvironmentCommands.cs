using System.CommandLine;
using System.Text.Json.Nodes;
using Contracts.Specs;

namespace Orchestrator.Cli;

/// <summary>
/// <c>environments list|show|create|update|delete|health|teardown|extend</c>. <c>create</c> refuses a name that exists
/// (the API's PUT would replace it), <c>update</c> changes only what is given (it reads the environment and puts it
/// back whole), <c>delete</c> needs <c>--yes</c> and the service refuses while the environment has unfinished runs,
/// live resources or schedules.
/// </summary>
public static class EnvironmentCommands
{
    public static Command Build(CliContext context)
    {
        var environments = new Command("environments", "environments: list, show, create, update, delete, health, teardown, extend");
        environments.Add(Options.Command("list", "environments with their target, revisions, weight and health").WithOutput().Does(context, ListCommands.ListEnvironmentsAsync));
        environments.Add(Options.Command("show", "one environment: revisions, health, approval, last rollback, teardown time", Name()).WithOutput()
            .Does(context, ListCommands.ShowEnvironmentAsync));
        var target = Options.Required("--target", $"where its engine runs: {string.Join(", ", TargetKinds.All)}");
        target.AcceptOnlyFromAmong([.. TargetKinds.All]);
        environments.Add(Settings(Options.Command("create", "create an environment (refused when the name exists)", Name(), target)).WithOutput()
            .Does(context, CreateAsync));
        var newTarget = Options.Text("--target", $"change the target kind: {string.Join(", ", TargetKinds.All)}");
        newTarget.AcceptOnlyFromAmong([.. TargetKinds.All]);
        environments.Add(Settings(Options.Command("update", "change an environment's target or settings; what is not given stays", Name(), newTarget)).WithOutput()
            .Does(context, UpdateAsync));
        environments.Add(Options.Command("delete", "forget an environment and its history (refused while it has unfinished runs, live resources or schedules)",
            Name(), Options.Flag("--yes", "confirm")).Does(context, DeleteAsync));
        environments.Add(HealthCommand.Build(context));
        environments.Add(TeardownCommand.Build(context));
        environments.Add(ExtendCommand.Build(context));
        return environments;
    }

    private static Argument<string> Name() => Options.Arg("NAME", "the environment's name (a DNS label)");

    private static Command Settings(Command command)
    {
        var approval = Options.Text("--approval", "required: every run waits for a user's approval; none: runs start at once");
        approval.AcceptOnlyFromAmong("required", "none");
        command.Add(approval);
        command.Add(Options.Text("--health-interval", "how often it is probed while it serves, e.g. 30s"));
        command.Add(new Option<string[]>("--notify")
        {
            Description = "a URL that hears of status changes and rollbacks (repeat for several; --notify '' clears them)", AllowMultipleArgumentsPerToken = false,
        });
        return command;
    }

    private static async Task<int> CreateAsync(ParseResult parse, CliContext context)
    {
        var name = parse.GetValue<string>("NAME")!;
        using var api = Options.Api(parse);
        // PUT creates or replaces: ask first, so that create never overwrites. (Two creates racing both pass; the second replaces.)
        if (await GetOrNullAsync(api, name, context.Cancellation) is not null)
            throw new ApiProblemException(409, "Environment exists", $"'{name}' already exists: change it with `orchestrator environments update {name} …`",
                new Dictionary<string, IReadOnlyList<string>>());
        var body = new JsonObject { ["targetKind"] = parse.GetValue<string>("--target") };
        Apply(parse, body);
        return await PutAsync(parse, context, api, name, body, "created");
    }

    private static async Task<int> UpdateAsync(ParseResult parse, CliContext context)
    {
        var name = parse.GetValue<string>("NAME")!;
        using var api = Options.Api(parse);
        var current = await api.GetAsync($"api/environments/{Uri.EscapeDataString(name)}", context.Cancellation) ?? new JsonObject();
        var body = new JsonObject
        {
            ["targetKind"] = parse.GetValue<string>("--target") ?? Json.Str(current, "targetKind"),
            ["approval"] = current["approval"]?.DeepClone(),
            ["health"] = current["health"]?.DeepClone(),
        };
        Apply(parse, body);
        return await PutAsync(parse, context, api, name, body, "updated");
    }

    private static void Apply(ParseResult parse, JsonObject body)
    {
        if (parse.GetValue<string>("--approval") is { } approval) body["approval"] = new JsonObject { ["required"] = approval == "required" };
        var interval = parse.GetValue<string>("--health-interval");
        var notify = parse.GetValue<string[]>("--notify");
        if (interval is null && notify is null) return;
        var health = body["health"] as JsonObject ?? new JsonObject();
        if (interval is not null) health["interval"] = interval;
        if (notify is not null) health["notify"] = new JsonArray([.. notify.Where(u => u.Length > 0).Select(u => JsonValue.Create(u))]);
        body["health"] = health;
    }

    private static async Task<int> PutAsync(ParseResult parse, CliContext context, ApiClient api, string name, JsonObject body, string done)
    {
        var environment = await api.SendAsync(HttpMethod.Put, $"api/environments/{Uri.EscapeDataString(name)}", body, context.Cancellation);
        if (await OutputFormat.TryWriteDataAsync(parse, context, environment)) return 0;
        var approval = environment?["approval"]?["required"]?.GetValue<bool>() == true ? ", runs wait for approval" : "";
        await context.Out.WriteLineAsync(
            $"environment {name} {done}: target {Json.Str(environment, "targetKind")}, probed every {Json.Str(environment?["health"], "interval")}{approval}");
        if (done == "created") await context.Out.WriteLineAsync($"roll a model out to it with: orchestrator apply -f rollout.yaml (environment: {name})");
        return 0;
    }

    private static async Task<JsonNode?> GetOrNullAsync(ApiClient api, string name, CancellationToken cancellationToken)
    {
        try
        {
            return await api.GetAsync($"api/environments/{Uri.EscapeDataString(name)}", cancellationToken);
        }
        catch (ApiProblemException e) when (e.Status == 404)
        {
            return null;
        }
    }

    private static async Task<int> DeleteAsync(ParseResult parse, CliContext context)
    {
        var name = parse.GetValue<string>("NAME")!;
        if (!parse.GetValue<bool>("--yes"))
            throw new UsageException($"delete forgets '{name}' and the history of its runs: add --yes to confirm");
        using var api = Options.Api(parse);
        await api.SendAsync(HttpMethod.Delete, $"api/environments/{Uri.EscapeDataString(name)}", null, context.Cancellation);
        await context.Out.WriteLineAsync($"environment {name} deleted");
        return 0;
    }
}
