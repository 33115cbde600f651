using System.CommandLine;
using Contracts.Specs;

namespace Orchestrator.Cli;

/// <summary><c>audit [--since 1h] [--actor NAME] [--environment E] [--limit N]</c>: who changed what, when and from where,
/// newest first (admins whose token is not limited to environments).</summary>
public static class AuditCommand
{
    public static Command Build(CliContext context) =>
        Options.Command("audit", "the audit trail: every change, who made it, when and from where, and its answer",
                Options.Text("--since", "how far back, e.g. 1h or 7d"), Options.Text("--actor", "one token's name"),
                Options.Text("--environment", "one environment", "-e"), Options.PositiveInt("--limit", "at most this many entries (default 100)"))
            .WithOutput().Does(context, RunAsync);

    private static async Task<int> RunAsync(ParseResult parse, CliContext context)
    {
        var query = new List<string>();
        if (parse.GetValue<string>("--since") is { } since)
        {
            if (!Durations.TryParse(since, out var back) || back <= TimeSpan.Zero) throw new UsageException($"--since: '{since}' is not a duration such as 1h or 7d");
            query.Add($"since={Uri.EscapeDataString((context.Time.GetUtcNow() - back).ToString("O", System.Globalization.CultureInfo.InvariantCulture))}");
        }
        if (parse.GetValue<string>("--actor") is { } actor) query.Add($"actor={Uri.EscapeDataString(actor)}");
        if (parse.GetValue<string>("--environment") is { } environment) query.Add($"environment={Uri.EscapeDataString(environment)}");
        if (parse.GetValue<int?>("--limit") is { } limit) query.Add($"limit={limit}");
        using var api = Options.Api(parse);
        var entries = await api.GetAsync("api/audit" + (query.Count == 0 ? "" : "?" + string.Join("&", query)), context.Cancellation);
        if (await OutputFormat.TryWriteDataAsync(parse, context, entries)) return 0;
        var table = new TableView("AT", "ACTOR", "ACTION", "ENVIRONMENT", "STATUS", "FROM");
        foreach (var entry in Json.Items(entries))
            table.Add(Json.Str(entry, "at"), Json.Str(entry, "actor"), Json.Str(entry, "path") is { Length: > 0 } path ? $"{Json.Str(entry, "method")} {path}" : Json.Str(entry, "action"),
                Json.OrDash(Json.Str(entry, "environment")), Json.OrDash(Json.Str(entry, "status")), Json.OrDash(Json.Str(entry, "remote")));
        new Terminal(context).Write(table);
        return 0;
    }
}
