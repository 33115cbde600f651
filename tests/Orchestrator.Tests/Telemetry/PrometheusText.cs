using System.Globalization;
using System.Text;

namespace Orchestrator.Tests.Telemetry;

/// <summary>
/// A strict parser of the Prometheus text exposition format (0.0.4), so that a test fails on anything a Prometheus
/// server would refuse or misread: bad names, label syntax and escapes, values, a TYPE after its samples or twice, a
/// family split in two, a series twice, and histograms whose buckets are not cumulative or disagree with their count.
/// </summary>
public sealed class PrometheusText
{
    private static readonly HashSet<string> Types = ["counter", "gauge", "histogram", "summary", "untyped"];

    private PrometheusText(Dictionary<string, Family> families) => Families = families;

    public IReadOnlyDictionary<string, Family> Families { get; }

    public sealed record Sample(string Name, IReadOnlyDictionary<string, string> Labels, double Value);

    public sealed class Family(string name)
    {
        public string Name { get; } = name;
        public string Type { get; set; } = "untyped";
        public string? Help { get; set; }
        public bool TypeDeclared { get; set; }
        public List<Sample> Samples { get; } = [];
    }

    /// <summary>The sum of the samples named <paramref name="sample"/> whose labels include <paramref name="labels"/>.</summary>
    public double Sum(string sample, params (string Name, string Value)[] labels) =>
        Families.Values.SelectMany(f => f.Samples)
            .Where(s => s.Name == sample && labels.All(l => s.Labels.TryGetValue(l.Name, out var v) && v == l.Value))
            .Sum(s => s.Value);

    public bool Has(string sample) => Families.Values.Any(f => f.Samples.Any(s => s.Name == sample));

    public static PrometheusText Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (text.Length > 0 && !text.EndsWith('\n')) throw Error(0, "the exposition must end with a line feed");
        var families = new Dictionary<string, Family>(StringComparer.Ordinal);
        var closed = new HashSet<string>(StringComparer.Ordinal);
        var series = new HashSet<string>(StringComparer.Ordinal);
        string? current = null;
        var lines = text.Split('\n');
        for (var i = 0; i < lines.Length - 1; i++)
        {
            var line = lines[i];
            var n = i + 1;
            if (line.Length == 0) continue;
            if (line.StartsWith('#'))
            {
                ParseComment(line, n, families, closed, ref current);
                continue;
            }
            var sample = ParseSample(line, n);
            var familyName = FamilyOf(sample.Name, families);
            if (familyName != current)
            {
                if (current is not null) closed.Add(current);
                if (closed.Contains(familyName)) throw Error(n, $"the samples of {familyName} are not together");
                current = familyName;
            }
            if (!families.TryGetValue(familyName, out var family)) families[familyName] = family = new Family(familyName);
            var key = sample.Name + "{" + string.Join(",", sample.Labels.OrderBy(l => l.Key, StringComparer.Ordinal).Select(l => $"{l.Key}={l.Value}")) + "}";
            if (!series.Add(key)) throw Error(n, $"series {key} appears twice");
            if (family.Type == "counter" && (sample.Value < 0 || double.IsNaN(sample.Value))) throw Error(n, $"counter {sample.Name} is {sample.Value}");
            family.Samples.Add(sample);
        }
        foreach (var family in families.Values.Where(f => f.Type == "histogram")) CheckHistogram(family);
        return new PrometheusText(families);
    }

    private static void ParseComment(string line, int n, Dictionary<string, Family> families, HashSet<string> closed, ref string? current)
    {
        var parts = line.Split(' ', 4);
        if (parts.Length < 3 || parts[0] != "#" || parts[1] is not ("HELP" or "TYPE")) return; // a plain comment
        var name = parts[2];
        if (!IsMetricName(name)) throw Error(n, $"'{name}' is not a metric name");
        if (current != name && current is not null) closed.Add(current);
        if (closed.Contains(name)) throw Error(n, $"{parts[1]} of {name} comes after its family ended");
        current = name;
        if (!families.TryGetValue(name, out var family)) families[name] = family = new Family(name);
        if (parts[1] == "HELP")
        {
            if (family.Help is not null) throw Error(n, $"HELP of {name} twice");
            family.Help = parts.Length == 4 ? Unescape(parts[3], n, inLabel: false) : "";
            return;
        }
        if (family.Samples.Count > 0) throw Error(n, $"TYPE of {name} after its samples");
        if (parts.Length != 4 || !Types.Contains(parts[3])) throw Error(n, $"TYPE of {name} is not a known type");
        if (family.TypeDeclared) throw Error(n, $"TYPE of {name} twice");
        family.TypeDeclared = true;
        family.Type = parts[3];
    }

    private static Sample ParseSample(string line, int n)
    {
        var i = 0;
        while (i < line.Length && line[i] is not ('{' or ' ')) i++;
        var name = line[..i];
        if (!IsMetricName(name)) throw Error(n, $"'{name}' is not a metric name");
        var labels = new Dictionary<string, string>(StringComparer.Ordinal);
        if (i < line.Length && line[i] == '{')
        {
            i++;
            while (true)
            {
                if (i >= line.Length) throw Error(n, "unterminated label set");
                if (line[i] == '}') { i++; break; }
                var start = i;
                while (i < line.Length && line[i] != '=') i++;
                var label = line[start..i];
                if (!IsLabelName(label)) throw Error(n, $"'{label}' is not a label name");
                if (i + 1 >= line.Length || line[i + 1] != '"') throw Error(n, $"label {label} has no quoted value");
                i += 2;
                var value = new StringBuilder();
                while (true)
                {
                    if (i >= line.Length) throw Error(n, $"unterminated value of label {label}");
                    var c = line[i++];
                    if (c == '"') break;
                    if (c != '\\') { value.Append(c); continue; }
                    if (i >= line.Length) throw Error(n, "a backslash ends the line");
                    value.Append(line[i++] switch { '\\' => '\\', '"' => '"', 'n' => '\n', var x => throw Error(n, $"bad escape \\{x}") });
                }
                if (!labels.TryAdd(label, value.ToString())) throw Error(n, $"label {label} twice");
                if (i < line.Length && line[i] == ',') i++;
                else if (i >= line.Length || line[i] != '}') throw Error(n, "labels must be separated by commas");
            }
        }
        if (i >= line.Length || line[i] != ' ') throw Error(n, "a space must separate the series from its value");
        var rest = line[(i + 1)..].Split(' ');
        if (rest.Length is < 1 or > 2) throw Error(n, "expected a value and an optional timestamp");
        var number = ParseValue(rest[0], n);
        if (rest.Length == 2 && !long.TryParse(rest[1], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out _))
            throw Error(n, $"'{rest[1]}' is not a timestamp");
        return new Sample(name, labels, number);
    }

    private static double ParseValue(string text, int n) => text switch
    {
        "+Inf" or "Inf" => double.PositiveInfinity,
        "-Inf" => double.NegativeInfinity,
        "NaN" => double.NaN,
        _ when double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) => v,
        _ => throw Error(n, $"'{text}' is not a value"),
    };

    // name_bucket, name_sum and name_count belong to the histogram or summary called name, when one was declared.
    private static string FamilyOf(string sample, Dictionary<string, Family> families)
    {
        foreach (var suffix in new[] { "_bucket", "_sum", "_count" })
            if (sample.EndsWith(suffix, StringComparison.Ordinal)
                && families.TryGetValue(sample[..^suffix.Length], out var f) && f.Type is "histogram" or "summary"
                && (suffix != "_bucket" || f.Type == "histogram"))
                return f.Name;
        return sample;
    }

    private static void CheckHistogram(Family family)
    {
        var groups = family.Samples.GroupBy(s => string.Join(",", s.Labels.Where(l => l.Key != "le").OrderBy(l => l.Key, StringComparer.Ordinal).Select(l => $"{l.Key}={l.Value}")));
        foreach (var group in groups)
        {
            var buckets = group.Where(s => s.Name == family.Name + "_bucket")
                .Select(s => (Le: s.Labels.TryGetValue("le", out var le) ? ParseValue(le, 0) : throw Error(0, $"{family.Name}_bucket without le"), s.Value))
                .OrderBy(b => b.Le).ToList();
            var count = group.SingleOrDefault(s => s.Name == family.Name + "_count") ?? throw Error(0, $"{family.Name}{{{group.Key}}} has no _count");
            _ = group.SingleOrDefault(s => s.Name == family.Name + "_sum") ?? throw Error(0, $"{family.Name}{{{group.Key}}} has no _sum");
            if (buckets.Count == 0 || !double.IsPositiveInfinity(buckets[^1].Le)) throw Error(0, $"{family.Name}{{{group.Key}}} has no +Inf bucket");
            for (var i = 1; i < buckets.Count; i++)
                if (buckets[i].Value < buckets[i - 1].Value) throw Error(0, $"{family.Name}{{{group.Key}}}: buckets are not cumulative");
            if (buckets[^1].Value != count.Value) throw Error(0, $"{family.Name}{{{group.Key}}}: the +Inf bucket is not the count");
        }
    }

    private static string Unescape(string text, int n, bool inLabel)
    {
        var result = new StringBuilder();
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] != '\\') { result.Append(text[i]); continue; }
            if (++i >= text.Length) throw Error(n, "a backslash ends the line");
            result.Append(text[i] switch { '\\' => '\\', 'n' => '\n', '"' when inLabel => '"', var x => throw Error(n, $"bad escape \\{x}") });
        }
        return result.ToString();
    }

    private static bool IsMetricName(string name) =>
        name.Length > 0 && (char.IsAsciiLetter(name[0]) || name[0] is '_' or ':') && name.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or ':');

    private static bool IsLabelName(string name) =>
        name.Length > 0 && (char.IsAsciiLetter(name[0]) || name[0] == '_') && name.All(c => char.IsAsciiLetterOrDigit(c) || c == '_');

    private static FormatException Error(int line, string message) =>
        new(line > 0 ? $"Prometheus text, line {line}: {message}" : $"Prometheus text: {message}");
}
