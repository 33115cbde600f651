using System.Globalization;
using System.Text.Json.Nodes;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace Orchestrator.Cli;

/// <summary>
/// A step's <c>progress</c> as the run JSON carries it: <c>{"done": n, "total": n|null, "unit": "bytes"|"tensors"|"replicas"|"percent",
/// "message": "…", "updatedAt": "…"}</c>. Absent, or not of that shape, reads as no progress. Drawn as a Spectre
/// progress bar on a terminal and as <c>checkpoint.convert 120.0 MiB / 400.0 MiB (30%)</c> elsewhere.
/// </summary>
public sealed record StepProgress(double Done, double? Total, string Unit, string? Message)
{
    private const int BarWidth = 16;

    public static StepProgress? Of(JsonNode? step)
    {
        if (step?["progress"] is not JsonObject progress || Number(progress["done"]) is not { } done) return null;
        var total = Number(progress["total"]);
        return new StepProgress(done, total is > 0 ? total : null, Json.Str(progress, "unit"), Json.Str(progress, "message") is { Length: > 0 } m ? m : null);
    }

    /// <summary>Done of total as a fraction in [0, 1]; null when the total is unknown.</summary>
    public double? Fraction => Unit == "percent" ? Math.Clamp(Done / (Total ?? 100), 0, 1) : Total is { } t ? Math.Clamp(Done / t, 0, 1) : null;

    /// <summary><c>120.0 MiB / 400.0 MiB (30%)</c>, <c>1 / 2 replicas (50%)</c>, <c>30%</c>, <c>12 tensors</c>; then the message.</summary>
    public string Describe()
    {
        // A cloud operation's time elapsed: its message already says it (CREATE_CLUSTER RUNNING, 2m30s elapsed).
        if (Unit == "seconds" && Total is null && Message is not null) return Message;
        string amount;
        if (Unit == "percent")
            amount = Percent(Fraction ?? 0);
        else
        {
            amount = Total is { } total ? $"{Amount(Done, false)} / {Amount(total, true)}" : Amount(Done, true);
            if (Fraction is { } f) amount += $" ({Percent(f)})";
        }
        return Message is null ? amount : $"{amount} {Message}";
    }

    /// <summary>The plain line for a step: <c>checkpoint.convert 120.0 MiB / 400.0 MiB (30%)</c>.</summary>
    public string Line(string stepName) => $"{stepName} {Describe()}";

    /// <summary>Spectre's progress bar (pulsing when the total is unknown) followed by the figures.</summary>
    public IRenderable Bar()
    {
        var task = new ProgressTask(0, "progress", 100, autoStart: true, TimeProvider.System) { IsIndeterminate = Fraction is null, Value = (Fraction ?? 0) * 100 };
        var bar = new ProgressBarColumn { Width = BarWidth }.Render(RenderOptions.Create(AnsiConsole.Console), task, TimeSpan.Zero);
        return new Rows(bar, new Text(Describe()));
    }

    private string Amount(double value, bool withUnit) => Unit switch
    {
        "bytes" => Bytes(value),
        "" => Whole(value),
        _ => withUnit ? $"{Whole(value)} {Unit}" : Whole(value),
    };

    private static string Whole(double value) => value.ToString("0.##", CultureInfo.InvariantCulture);

    private static string Percent(double fraction) => (fraction * 100).ToString("0", CultureInfo.InvariantCulture) + "%";

    /// <summary>Binary units with one decimal: <c>512 B</c>, <c>120.0 MiB</c>, <c>1.5 GiB</c>.</summary>
    public static string Bytes(double value)
    {
        string[] units = ["B", "KiB", "MiB", "GiB", "TiB"];
        var i = 0;
        while (value >= 1024 && i < units.Length - 1)
        {
            value /= 1024;
            i++;
        }
        return i == 0 ? $"{value.ToString("0", CultureInfo.InvariantCulture)} B" : $"{value.ToString("0.0", CultureInfo.InvariantCulture)} {units[i]}";
    }

    private static double? Number(JsonNode? node) =>
        node is JsonValue value && value.TryGetValue<double>(out var number) && double.IsFinite(number) && number >= 0 ? number : null;
}
