using System.Globalization;
using System.Text;

namespace EngineImage.Serving;

/// <summary>A Prometheus histogram (cumulative buckets, sum, count). Thread safe.</summary>
public sealed class PrometheusHistogram(string name, string help, IReadOnlyList<double> buckets)
{
    private readonly long[] _counts = new long[buckets.Count];
    private readonly Lock _lock = new();
    private long _count;
    private double _sum;

    public string Name { get; } = name;

    public long Count
    {
        get
        {
            lock (_lock) return _count;
        }
    }

    public void Observe(double value)
    {
        lock (_lock)
        {
            for (var i = 0; i < buckets.Count; i++)
            {
                if (value <= buckets[i]) _counts[i]++;
            }
            _count++;
            _sum += value;
        }
    }

    public void WriteTo(StringBuilder text, string labels)
    {
        ArgumentNullException.ThrowIfNull(text);
        lock (_lock)
        {
            text.Append("# HELP ").Append(Name).Append(' ').Append(help).Append('\n');
            text.Append("# TYPE ").Append(Name).Append(" histogram\n");
            for (var i = 0; i < buckets.Count; i++)
                AppendSample(text, Name + "_bucket", labels, "le=\"" + Format(buckets[i]) + "\"", _counts[i]);
            AppendSample(text, Name + "_bucket", labels, "le=\"+Inf\"", _count);
            AppendSample(text, Name + "_count", labels, null, _count);
            AppendSample(text, Name + "_sum", labels, null, _sum);
        }
    }

    internal static void AppendSample(StringBuilder text, string name, string labels, string? extraLabel, double value)
    {
        text.Append(name).Append('{').Append(labels);
        if (extraLabel is not null) text.Append(',').Append(extraLabel);
        text.Append("} ").Append(Format(value)).Append('\n');
    }

    internal static string Format(double value) =>
        double.IsPositiveInfinity(value) ? "+Inf" : value.ToString("0.0###########", CultureInfo.InvariantCulture);
}
