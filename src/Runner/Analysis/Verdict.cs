using System.Globalization;
using Contracts.Specs;

namespace Runner.Analysis;

/// <summary>Turns a value read into a measurement: within the metric's bounds is successful, outside them failed, no
/// value inconclusive.</summary>
internal static class Verdict
{
    public static Measurement Within(MetricSpec metric, double? value, string detail, DateTimeOffset at)
    {
        if (value is not { } v) return Measurement.NoData("no data " + detail, at);
        var ok = (metric.Min is not { } min || v >= min) && (metric.Max is not { } max || v <= max);
        var bounds = string.Create(CultureInfo.InvariantCulture, $"{(metric.Min is { } lo ? $"min {lo}" : "")}{(metric.Min is not null && metric.Max is not null ? ", " : "")}{(metric.Max is { } hi ? $"max {hi}" : "")}");
        return Of(ok, v, $"{(ok ? "within" : "outside")} {bounds} {detail}", at);
    }

    public static Measurement Of(bool ok, double value, string detail, DateTimeOffset at) =>
        new(ok ? Measurement.Successful : Measurement.Failed, value, detail, at);
}
