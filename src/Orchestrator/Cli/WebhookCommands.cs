using System.CommandLine;
using System.Globalization;
using System.Text.Json.Nodes;

namespace Orchestrator.Cli;

/// <summary><c>webhooks bindings list|create|delete</c> and <c>webhooks deliveries</c>.</summary>
public static class WebhookCommands
{
    public static Command Build(CliContext context)
    {
        var webhooks = new Command("webhooks", "GitHub releases that roll out: bindings and deliveries");
        var bindings = new Command("bindings", "which repositories' GitHub releases roll out where");
        bindings.Add(Options.Command("list", "the bindings").WithOutput().Does(context, ListBindingsAsync));
        var onRemoved = Options.Text("--on-removed", "nothing (default) or rollback");
        bindings.Add(Options.Command("create", "bind a repository's releases to environments", Options.Arg("REPOSITORY", "OWNER/NAME"),
                Options.Text("--prod", "where releases roll out"), Options.Text("--staging", "where pre-releases roll out"),
                Options.Text("--actions", "published,released,prereleased"), onRemoved, Options.Text("--spec-path", "default .orchestrator/rollout.yaml"),
                Options.Text("--installation-id", "the GitHub App installation"),
                Options.Text("--secret", "secret://NAME: the stored secret this repository's deliveries are signed with (default: the orchestrator's webhook secret)"))
            .WithOutput().Does(context, CreateBindingAsync));
        bindings.Add(Options.Command("delete", "delete a binding", Options.Arg("ID", "the binding's id")).Does(context, DeleteBindingAsync));
        webhooks.Add(bindings);
        webhooks.Add(Options.Command("deliveries", "what GitHub sent and what became of it", Options.Text("--repository", "OWNER/NAME"),
            Options.PositiveInt("--limit", "at most this many")).WithOutput().Does(context, ListDeliveriesAsync));
        return webhooks;
    }

    private static async Task<int> ListBindingsAsync(ParseResult parse, CliContext context)
    {
        using var api = Options.Api(parse);
        var bindings = await api.GetAsync("api/webhooks/bindings", context.Cancellation);
        if (await OutputFormat.TryWriteDataAsync(parse, context, bindings)) return 0;
        var table = new TableView("ID", "REPOSITORY", "PROD", "STAGING", "ACTIONS", "ON REMOVED", "SPEC");
        foreach (var b in Json.Items(bindings))
            table.Add(Json.Str(b, "id"), Json.Str(b, "repository"), Json.OrDash(Json.Str(b, "prodEnvironment")), Json.OrDash(Json.Str(b, "stagingEnvironment")),
                Json.List(b, "actions"), Json.Str(b, "onRemoved"), Json.Str(b, "specPath"));
        new Terminal(context).Write(table);
        return 0;
    }

    private static async Task<int> CreateBindingAsync(ParseResult parse, CliContext context)
    {
        string? Value(string name) => parse.GetValue<string>("--" + name);
        var body = new JsonObject { ["repository"] = parse.GetValue<string>("REPOSITORY") };
        if (Value("prod") is { } prod) body["prodEnvironment"] = prod;
        if (Value("staging") is { } staging) body["stagingEnvironment"] = staging;
        if (Value("actions") is { } actions) body["actions"] = new JsonArray([.. actions.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).Select(a => JsonValue.Create(a))]);
        if (Value("on-removed") is { } onRemoved) body["onRemoved"] = onRemoved;
        if (Value("spec-path") is { } specPath) body["specPath"] = specPath;
        if (Value("secret") is { } secret) body["secret"] = secret;
        if (Value("installation-id") is { } installation)
            body["installationId"] = long.TryParse(installation, NumberStyles.None, CultureInfo.InvariantCulture, out var id) ? id
                : throw new UsageException("--installation-id must be a number");
        using var api = Options.Api(parse);
        var binding = await api.PostAsync("api/webhooks/bindings", body, context.Cancellation);
        if (await OutputFormat.TryWriteDataAsync(parse, context, binding)) return 0;
        await context.Out.WriteLineAsync(
            $"binding {Json.Str(binding, "id")}: {Json.Str(binding, "repository")} releases -> prod {Json.OrDash(Json.Str(binding, "prodEnvironment"))}, pre-releases -> staging {Json.OrDash(Json.Str(binding, "stagingEnvironment"))}");
        return 0;
    }

    private static async Task<int> DeleteBindingAsync(ParseResult parse, CliContext context)
    {
        var id = parse.GetValue<string>("ID")!;
        using var api = Options.Api(parse);
        await api.SendAsync(HttpMethod.Delete, $"api/webhooks/bindings/{Uri.EscapeDataString(id)}", null, context.Cancellation);
        await context.Out.WriteLineAsync($"binding {id} deleted");
        return 0;
    }

    private static async Task<int> ListDeliveriesAsync(ParseResult parse, CliContext context)
    {
        var query = new List<string>();
        if (parse.GetValue<string>("--repository") is { } repository) query.Add("repository=" + Uri.EscapeDataString(repository));
        if (parse.GetValue<int?>("--limit") is { } limit) query.Add($"limit={limit}");
        using var api = Options.Api(parse);
        var deliveries = await api.GetAsync("api/webhooks/deliveries" + (query.Count > 0 ? "?" + string.Join('&', query) : ""), context.Cancellation);
        if (await OutputFormat.TryWriteDataAsync(parse, context, deliveries)) return 0;
        var now = context.Time.GetUtcNow();
        var table = new TableView("DELIVERY", "RECEIVED", "EVENT", "REPOSITORY", "TAG", "OUTCOME", "RUN", "DETAIL");
        foreach (var d in Json.Items(deliveries))
            table.Add(Json.Str(d, "deliveryId"), Json.Ago(Json.Time(d, "receivedAt"), now), $"{Json.Str(d, "event")} {Json.Str(d, "action")}".Trim(),
                Json.OrDash(Json.Str(d, "repository")), Json.OrDash(Json.Str(d, "tag")), Json.OrDash(Json.Str(d, "outcome")), Json.OrDash(Json.Str(d, "runId")),
                Json.OrDash(Json.Str(d, "detail")));
        new Terminal(context).Write(table);
        return 0;
    }
}
