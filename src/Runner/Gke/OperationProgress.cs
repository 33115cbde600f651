using System.Globalization;
using System.Text.Json.Nodes;
using Contracts.Protocol;
using Runner.Agent;

namespace Runner.Gke;

/// <summary>
/// A GKE operation's progress as a step reports it. An operation tells its type, status and <c>startTime</c>; some
/// also carry <c>progress.metrics</c> (name and intValue pairs such as <c>NODES_TOTAL</c> and <c>NODES_DONE</c>).
/// With such a pair the progress is done of total; otherwise it is the seconds elapsed, without a total.
/// </summary>
internal static class OperationProgress
{
    public static void Report(ProgressReporter progress, JsonObject operation, string status, DateTimeOffset waitStarted, DateTimeOffset now)
    {
        var started = DateTimeOffset.TryParse((string?)operation["startTime"], CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at) && at <= now
            ? at
            : waitStarted;
        var elapsed = now - started;
        var type = (string?)operation["operationType"] ?? "operation";
        var message = string.Create(CultureInfo.InvariantCulture, $"{type} {status}, {Elapsed(elapsed)} elapsed");
        if (Metrics(operation) is var (done, total, name))
        {
            progress.Report(done, total, name, message);
            return;
        }

        progress.Report(Math.Round(elapsed.TotalSeconds), null, StepProgressUnits.Seconds, message);
    }

    /// <summary>The first <c>X_DONE</c> (or <c>X_COMPLETE</c>) metric with an <c>X_TOTAL</c> beside it; the unit is X in lower case.</summary>
    private static (double Done, double Total, string Unit)? Metrics(JsonObject operation)
    {
        if (operation["progress"]?["metrics"] is not JsonArray metrics) return null;
        var values = new Dictionary<string, double>(StringComparer.OrdinalIgnoreCase);
        foreach (var metric in metrics.OfType<JsonObject>())
        {
            if ((string?)metric["name"] is not { } name) continue;
            if ((Number(metric["intValue"]) ?? Number(metric["doubleValue"])) is { } value) values[name] = value;
        }

        foreach (var (name, total) in values)
        {
            if (!name.EndsWith("_TOTAL", StringComparison.OrdinalIgnoreCase)) continue;
            var stem = name[..^"_TOTAL".Length];
            if (values.TryGetValue(stem + "_DONE", out var done) || values.TryGetValue(stem + "_COMPLETE", out done))
                return (done, total, stem.ToLowerInvariant());
        }

        return null;
    }

    // intValue is an int64, which the REST API writes as a JSON string.
    private static double? Number(JsonNode? node) => node switch
    {
        JsonValue v when v.TryGetValue<double>(out var d) => d,
        JsonValue v when v.TryGetValue<string>(out var s) && double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out var parsed) => parsed,
        _ => null,
    };

    private static string Elapsed(TimeSpan elapsed) =>
        elapsed.TotalHours >= 1 ? $"{(int)elapsed.TotalHours}h{elapsed.Minutes:D2}m"
        : elapsed.TotalMinutes >= 1 ? $"{(int)elapsed.TotalMinutes}m{elapsed.Seconds:D2}s"
        : $"{(int)elapsed.TotalSeconds}s";
}
