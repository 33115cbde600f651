using System.Text;
using System.Text.Json.Nodes;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace Orchestrator.Cli;

/// <summary>Human renderings of runs: one line per run in lists, a header plus a step table for one run.</summary>
public static class RunView
{
    public static string Header(JsonNode run)
    {
        ArgumentNullException.ThrowIfNull(run);
        var text = new StringBuilder();
        text.Append($"run {Json.Str(run, "id")}  environment {Json.Str(run, "environment")}  revision {Json.OrDash(Json.Str(run, "revision"))}  status {Json.Str(run, "status")}");
        var trigger = run["trigger"];
        if (trigger is not null) text.Append($"  trigger {Json.Str(trigger, "kind")}{(Json.Str(trigger, "actor") is { Length: > 0 } actor ? " by " + actor : "")}");
        text.Append('\n');
        var rollingBack = run["rollingBack"]?.GetValue<bool>() == true;
        if (StartsAt(run) is { } starts) text.Append(starts).Append('\n');
        if (Json.Str(run, "error") is { Length: > 0 } error) text.Append(rollingBack ? $"rolling back: {error}\n" : $"error: {error}\n");
        foreach (var step in Json.Items(run["steps"]).Where(s => Json.Str(s, "status") == "waiting"))
            text.Append(Json.Str(step, "kind") == "approval"
                ? $"waiting for approval at {Json.Str(step, "name")}: orchestrator runs approve {Json.Str(run, "id")}\n"
                : $"paused at {Json.Str(step, "name")}{(Json.Str(step, "error") is { Length: > 0 } why ? $" ({why})" : "")}: orchestrator rollouts promote|abort {Json.Str(run, "environment")}\n");
        return text.ToString();
    }

    /// <summary>"starts at 2026-12-08 22:00 Europe/Paris (maintenance window)" for a run or plan that waits for a window;
    /// null when it does not. The time is printed as the server sent it: in the window's own offset.</summary>
    public static string? StartsAt(JsonNode run)
    {
        ArgumentNullException.ThrowIfNull(run);
        if (Json.Str(run, "waitingFor") is not { Length: > 0 } reason) return null;
        if (!DateTimeOffset.TryParse(Json.Str(run, "startsAt"), System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.None, out var at))
            return $"waiting for a {reason} that does not open again (start it with --urgent)";
        return $"starts at {at.ToString("yyyy-MM-dd HH:mm", System.Globalization.CultureInfo.InvariantCulture)} {Json.Str(run, "startsAtTimeZone")} ({reason})";
    }

    public static string Steps(JsonNode run, DateTimeOffset now)
    {
        var (table, details) = StepsTable(run, now, rich: false);
        return table + details;
    }

    /// <summary>The step table (a PROGRESS column when a step reports progress) and, below it, the errors too long for a cell.</summary>
    public static (TableView Table, string Details) StepsTable(JsonNode run, DateTimeOffset now, bool rich)
    {
        ArgumentNullException.ThrowIfNull(run);
        var steps = Json.Items(run["steps"]).ToList();
        var withProgress = steps.Any(s => StepProgress.Of(s) is not null);
        // On a terminal the width is the screen's: a KIND that only repeats the STEP's name is left out.
        var withKind = !rich || steps.Any(s => Json.Str(s, "kind") != Json.Str(s, "name"));
        var headers = new List<string> { "STEP" };
        if (withKind) headers.Add("KIND");
        headers.AddRange(["STATUS", "ATTEMPT", "DURATION"]);
        if (withProgress) headers.Add("PROGRESS");
        headers.Add("ERROR");
        var table = new TableView([.. headers]);
        var details = new StringBuilder();
        foreach (var step in steps)
        {
            var error = Json.Str(step, "error");
            var status = Json.Str(step, "decidedBy") is { Length: > 0 } by ? $"{Json.Str(step, "status")} by {by}" : Json.Str(step, "status");
            var cells = new List<IRenderable> { new Text(Json.Str(step, "name")) };
            if (withKind) cells.Add(new Text(Json.Str(step, "kind")));
            cells.AddRange([rich ? TableView.Status(status) : new Text(status), new Text(Attempt(step)), new Text(StepDuration(step, now))]);
            if (withProgress)
            {
                var progress = StepProgress.Of(step);
                cells.Add(progress is null ? new Text("") : rich ? progress.Bar() : new Text(progress.Describe()));
            }
            cells.Add(new Text(FirstLine(error, 60)));
            table.Add([.. cells]);
            // A long or multi-line error (an engine's last log lines) would break the table: it follows in full.
            if (FirstLine(error, 60) != error.TrimEnd())
                details.Append($"{Json.Str(step, "name")}: {error.TrimEnd().Replace("\n", "\n    ", StringComparison.Ordinal)}\n");
        }
        return (table, details.ToString());
    }

    /// <summary>The header and step table: drawn with a border and colours, progress bars in the table, when <paramref name="rich"/>.</summary>
    public static IRenderable Renderable(JsonNode run, DateTimeOffset now, bool rich)
    {
        if (!rich) return new Text(Full(run, now));
        var (table, details) = StepsTable(run, now, rich: true);
        var parts = new List<IRenderable> { new Text(Header(run).TrimEnd('\n')), table.Rich() };
        if (details.Length > 0) parts.Add(new Text(details.TrimEnd('\n')));
        return new Rows(parts);
    }

    /// <summary>The first line of <paramref name="text"/>, at most <paramref name="max"/> characters; "…" marks what was left out.</summary>
    public static string FirstLine(string text, int max)
    {
        ArgumentNullException.ThrowIfNull(text);
        var trimmed = text.TrimEnd();
        var line = trimmed.Split('\n', 2)[0].TrimEnd();
        if (line.Length > max) return line[..(max - 1)] + "…";
        return line.Length < trimmed.Length ? line + " …" : line;
    }

    public static string Full(JsonNode run, DateTimeOffset now) => Header(run) + Steps(run, now);

    public static string List(IEnumerable<JsonNode> runs, DateTimeOffset now) => ListTable(runs, now).ToString();

    public static TableView ListTable(IEnumerable<JsonNode> runs, DateTimeOffset now)
    {
        var table = new TableView("ID", "ENVIRONMENT", "REVISION", "STATUS", "TRIGGER", "CREATED", "DURATION");
        foreach (var run in runs)
        {
            var started = Json.Time(run, "startedAt");
            var duration = started is null ? "-" : Json.Duration((Json.Time(run, "finishedAt") ?? now) - started.Value);
            table.Add(new Text(Json.Str(run, "id")), new Text(Json.Str(run, "environment")), new Text(Json.OrDash(Json.Str(run, "revision"))),
                TableView.Status(Json.Str(run, "status")), new Text(Json.OrDash(Json.Str(run["trigger"], "kind"))), new Text(Json.Ago(Json.Time(run, "createdAt"), now)),
                new Text(duration));
        }
        return table;
    }

    public static string Attempt(JsonNode step)
    {
        var attempt = Json.Str(step, "attempt");
        var max = Json.Str(step, "maxAttempts");
        return attempt.Length == 0 ? "-" : max.Length == 0 ? attempt : $"{attempt}/{max}";
    }

    private static string StepDuration(JsonNode step, DateTimeOffset now)
    {
        var started = Json.Time(step, "startedAt");
        if (started is null) return "-";
        return Json.Duration((Json.Time(step, "finishedAt") ?? now) - started.Value);
    }
}
