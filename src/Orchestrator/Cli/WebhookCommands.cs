using System.Globalization;
using System.Text.Json.Nodes;

namespace Orchestrator.Cli;

/// <summary><c>webhooks bindings list|create|delete</c> and <c>webhooks deliveries</c>.</summary>
public static class WebhookCommands
{
    public static Task<int> RunAsync(string[] args, CliContext context) => args switch
    {
        ["bindings"] or ["bindings", "list", ..] => ListBindingsAsync(args.Skip(2).ToList(), context),
        ["bindings", "create", .. var rest] => CreateBindingAsync(rest, context),
        ["bindings", "delete", .. var rest] => DeleteBindingAsync(rest, context),
        ["bindings", var other, ..] => throw new UsageException($"unknown subcommand 'webhooks bindings {other}' (list, create, delete)"),
        ["deliveries", .. var rest] => ListDeliveriesAsync(rest, context),
        [var other, ..] => throw new UsageException($"unknown subcommand 'webhooks {other}' (bindings, deliveries)"),
        [] => throw new UsageException("missing subcommand: webhooks bindings|deliveries"),
    };

    private static async Task<int> ListBindingsAsync(IReadOnlyList<string> rawArgs, CliContext context)
    {
        var args = CliArgs.Parse(rawArgs, [], ["json"]);
        args.NoPositionals();
        using var api = new ApiClient(ServerConnection.Resolve(args));
        var bindings = await api.GetAsync("api/webhooks/bindings", context.Cancellation);
        if (args.Has("json"))
        {
            await context.Out.WriteLineAsync(Json.Pretty(bindings));
            return 0;
        }
        var table = new Table("ID", "REPOSITORY", "PROD", "STAGING", "ACTIONS", "ON REMOVED", "SPEC");
        foreach (var b in Json.Items(bindings))
            table.Add(Json.Str(b, "id"), Json.Str(b, "repository"), Json.OrDash(Json.Str(b, "prodEnvironment")), Json.OrDash(Json.Str(b, "stagingEnvironment")),
                Json.List(b, "actions"), Json.Str(b, "onRemoved"), Json.Str(b, "specPath"));
        await context.Out.WriteAsync(table.ToString());
        return 0;
    }

    private static async Task<int> CreateBindingAsync(IReadOnlyList<string> rawArgs, CliContext context)
    {
        var args = CliArgs.Parse(rawArgs, ["prod", "staging", "actions", "on-removed", "spec-path", "installation-id"], ["json"]);
        var body = new JsonObject { ["repository"] = args.Single("repository (owner/name)") };
        if (args.Value("prod") is { } prod) body["prodEnvironment"] = prod;
        if (args.Value("staging") is { } staging) body["stagingEnvironment"] = staging;
        if (args.Value("actions") is { } actions) body["actions"] = new JsonArray([.. actions.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).Select(a => JsonValue.Create(a))]);
        if (args.Value("on-removed") is { } onRemoved) body["onRemoved"] = onRemoved;
        if (args.Value("spec-path") is { } specPath) body["specPath"] = specPath;
        if (args.Value("installation-id") is { } installation)
            body["installationId"] = long.TryParse(installation, NumberStyles.None, CultureInfo.InvariantCulture, out var id) ? id
                : throw new UsageException("--installation-id must be a number");
        using var api = new ApiClient(ServerConnection.Resolve(args));
        var binding = await api.PostAsync("api/webhooks/bindings", body, context.Cancellation);
        await context.Out.WriteLineAsync(args.Has("json") ? Json.Pretty(binding)
            : $"binding {Json.Str(binding, "id")}: {Json.Str(binding, "repository")} releases -> prod {Json.OrDash(Json.Str(binding, "prodEnvironment"))}, pre-releases -> staging {Json.OrDash(Json.Str(binding, "stagingEnvironment"))}");
        return 0;
    }

    private static async Task<int> DeleteBindingAsync(IReadOnlyList<string> rawArgs, CliContext context)
    {
        var args = CliArgs.Parse(rawArgs, [], []);
        var id = args.Single("binding id");
        using var api = new ApiClient(ServerConnection.Resolve(args));
        await api.SendAsync(HttpMethod.Delete, $"api/webhooks/bindings/{Uri.EscapeDataString(id)}", null, context.Cancellation);
        await context.Out.WriteLineAsync($"binding {id} deleted");
        return 0;
    }

    private static async Task<int> ListDeliveriesAsync(IReadOnlyList<string> rawArgs, CliContext context)
    {
        var args = CliArgs.Parse(rawArgs, ["repository", "limit"], ["json"]);
        args.NoPositionals();
        var query = new List<string>();
        if (args.Value("repository") is { } repository) query.Add("repository=" + Uri.EscapeDataString(repository));
        if (args.PositiveInt("limit") is { } limit) query.Add($"limit={limit}");
        using var api = new ApiClient(ServerConnection.Resolve(args));
        var deliveries = await api.GetAsync("api/webhooks/deliveries" + (query.Count > 0 ? "?" + string.Join('&', query) : ""), context.Cancellation);
        if (args.Has("json"))
        {
            await context.Out.WriteLineAsync(Json.Pretty(deliveries));
            return 0;
        }
        var now = context.Time.GetUtcNow();
        var table = new Table("DELIVERY", "RECEIVED", "EVENT", "REPOSITORY", "TAG", "OUTCOME", "RUN", "DETAIL");
        foreach (var d in Json.Items(deliveries))
            table.Add(Json.Str(d, "deliveryId"), Json.Ago(Json.Time(d, "receivedAt"), now), $"{Json.Str(d, "event")} {Json.Str(d, "action")}".Trim(),
                Json.OrDash(Json.Str(d, "repository")), Json.OrDash(Json.Str(d, "tag")), Json.OrDash(Json.Str(d, "outcome")), Json.OrDash(Json.Str(d, "runId")),
                Json.OrDash(Json.Str(d, "detail")));
        await context.Out.WriteAsync(table.ToString());
        return 0;
    }
}
