using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;

namespace Orchestrator.Cli;

/// <summary><c>orchestrator environments health NAME [--since 1h] [--json]</c>: the status, its watcher, sparklines of
/// the probe latency and engine figures over the window, and the transitions.</summary>
internal static class HealthCommand
{
    private const string Bars = "▁▂▃▄▅▆▇█";
    private const int Width = 60;

    public static Command Build(CliContext context) =>
        Options.Command("health", "health status, watcher, sparklines of latency/ttft/tpot/tokens per second, transitions",
            Options.Arg("NAME", "the environment"), Options.Text("--since", "how far back, e.g. 1h (default)")).WithOutput().Does(context, RunAsync);

    private static async Task<int> RunAsync(ParseResult parse, CliContext context)
    {
        var name = parse.GetValue<string>("NAME")!;
        var sinceText = parse.GetValue<string>("--since") ?? "1h";
        using var api = Options.Api(parse);
        var health = await api.GetAsync($"api/environments/{Uri.EscapeDataString(name)}/health?since={Uri.EscapeDataString(sinceText)}", context.Cancellation);
        if (await OutputFormat.TryWriteDataAsync(parse, context, health)) return 0;
        if (health is null)
        {
            await context.Out.WriteLineAsync("null");
            return 0;
        }
        var now = DateTimeOffset.UtcNow;
        var watcher = health["watcher"] is { } w ? $"watched by {Json.Str(w, "runnerName")}" : "watched by no runner";
        await context.Out.WriteLineAsync(
            $"{name}: {Json.Str(health, "status")} since {Json.Ago(Json.Time(health, "statusSince"), now)} ({Json.OrDash(Json.Str(health, "reason"))}); {watcher}, every {Json.Str(health, "intervalSeconds")} s");
        var points = Json.Items(health["points"]).ToList();
        await context.Out.WriteLineAsync($"{points.Count} points ({Json.Str(health, "resolution")}) over the last {sinceText}");
        foreach (var (label, member) in new[] { ("generate ms", "generateLatencyMs"), ("ttft ms", "ttftMs"), ("tpot ms", "tpotMs"), ("tokens/s", "tokensPerSecond") })
        {
            var values = points.Select(p => p[member] is JsonValue v ? v.GetValue<double>() : (double?)null).ToList();
            if (values.All(v => v is null)) continue;
            await context.Out.WriteLineAsync($"  {label,-12} {Sparkline(values)}  last {Last(values)}");
        }
        var failures = points.Select(p => (p["healthcheckFailures"]?.GetValue<int>() ?? 0) + (p["generateFailures"]?.GetValue<int>() ?? 0) > 0 ? '!' : '.').ToList();
        if (failures.Count > 0) await context.Out.WriteLineAsync($"  {"failures",-12} {new string(Squeeze(failures).ToArray())}");
        foreach (var t in Json.Items(health["transitions"]))
            await context.Out.WriteLineAsync($"  {Json.Str(t, "at")}  {Json.Str(t, "from")} -> {Json.Str(t, "to")}  {Json.Str(t, "reason")}");
        return 0;
    }

    private static string Last(List<double?> values) =>
        values.LastOrDefault(v => v is not null) is { } last ? last.ToString("0.#", CultureInfo.InvariantCulture) : "-";

    // One character per point, or per group of points when there are more than fit (a '!' wins its group).
    private static IEnumerable<char> Squeeze(List<char> marks)
    {
        var per = Math.Max(1, (int)Math.Ceiling(marks.Count / (double)Width));
        for (var i = 0; i < marks.Count; i += per) yield return marks.Skip(i).Take(per).Contains('!') ? '!' : '.';
    }

    public static string Sparkline(IReadOnlyList<double?> values)
    {
        var per = Math.Max(1, (int)Math.Ceiling(values.Count / (double)Width));
        var groups = new List<double?>();
        for (var i = 0; i < values.Count; i += per)
        {
            var group = values.Skip(i).Take(per).OfType<double>().ToList();
            groups.Add(group.Count == 0 ? null : group.Average());
        }
        var present = groups.OfType<double>().ToList();
        var (low, high) = (present.Min(), present.Max());
        var text = new StringBuilder();
        foreach (var g in groups)
            text.Append(g is not { } v ? ' ' : Bars[high == low ? 0 : (int)Math.Round((v - low) / (high - low) * (Bars.Length - 1))]);
        return text.ToString();
    }
}
