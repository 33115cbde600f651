using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Runner.Agent;

/// <summary>
/// Replaces secrets in text that leaves the runner (step logs, error texts, outputs): every registered value in the
/// forms it may be printed in (see <see cref="SecretForms"/>: each line of a multi-line value, base64 at each of the three
/// alignments, URL- and JSON-escaped), and anything shaped like an orchestrator or Hugging Face token. Registered values
/// are kept for the runner's life, like actions/runner's masker. Thread safe.
/// </summary>
internal sealed partial class SecretMasker
{
    public const string Mask = "***";
    private readonly Lock _gate = new();
    private readonly HashSet<string> _values = new(StringComparer.Ordinal);
    private string[] _forms = [];

    /// <summary>True once a value was registered (a line then costs a look at its neighbour, see <see cref="MaskAcross"/>).</summary>
    public bool HasValues => _forms.Length > 0;

    public void Add(string? secret)
    {
        if (string.IsNullOrEmpty(secret) || secret.Length < SecretForms.MinLength)
        {
            return;
        }

        lock (_gate)
        {
            if (!_values.Add(secret)) return;
            // Longest first, so a form that contains another is masked whole.
            _forms = [.. _forms.Concat(SecretForms.Of(secret)).Distinct(StringComparer.Ordinal).OrderByDescending(s => s.Length)];
        }
    }

    public string Apply(string text)
    {
        // The orchestrator stores no NUL character (PostgreSQL text cannot hold one): a child's stray NUL goes here.
        text = text.Replace("\0", "", StringComparison.Ordinal);
        foreach (var form in _forms)
        {
            text = text.Replace(form, Mask, StringComparison.Ordinal);
        }

        return TokenShape().Replace(text, Mask);
    }

    /// <summary>A copy of <paramref name="outputs"/> whose every string is masked.</summary>
    public JsonObject? Apply(JsonObject? outputs) => outputs is null ? null : (JsonObject)ApplyNode(outputs)!;

    /// <summary>
    /// Masks what a value printed across two consecutive log lines would leave of it: a form that starts in
    /// <paramref name="first"/> and ends in <paramref name="second"/>, joined by a line break or by nothing (a writer that
    /// cut its output in the middle). The crossing parts become <see cref="Mask"/>; each line still needs <see cref="Apply(string)"/>.
    /// </summary>
    public (string First, string Second) MaskAcross(string first, string second)
    {
        var forms = _forms;
        var cutFirst = first.Length;
        var cutSecond = 0;
        foreach (var separator in Separators)
        {
            var joined = string.Concat(first, separator, second);
            var secondStart = first.Length + separator.Length;
            foreach (var form in forms)
            {
                var from = Math.Max(0, first.Length - form.Length + 1);
                for (var at = joined.IndexOf(form, from, StringComparison.Ordinal); at >= 0 && at < first.Length; at = joined.IndexOf(form, at + 1, StringComparison.Ordinal))
                {
                    if (at + form.Length <= secondStart) continue;
                    cutFirst = Math.Min(cutFirst, at);
                    cutSecond = Math.Max(cutSecond, at + form.Length - secondStart);
                }
            }
        }

        return cutSecond == 0 ? (first, second) : (first[..cutFirst] + Mask, Mask + second[cutSecond..]);
    }

    private static readonly string[] Separators = ["\n", "\r\n", ""];

    private JsonNode? ApplyNode(JsonNode? node) => node switch
    {
        JsonObject o => new JsonObject(o.Select(p => KeyValuePair.Create(p.Key, ApplyNode(p.Value)))),
        JsonArray a => new JsonArray([.. a.Select(ApplyNode)]),
        JsonValue v when v.TryGetValue<string>(out var text) => JsonValue.Create(Apply(text)),
        _ => node?.DeepClone(),
    };

    [GeneratedRegex(@"\b(orch_(u|r|reg)_[A-Za-z0-9_\-]+|hf_[A-Za-z0-9]{20,})")]
    private static partial Regex TokenShape();
}
