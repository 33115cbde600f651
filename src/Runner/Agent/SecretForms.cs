using System.Net;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace Runner.Agent;

/// <summary>
/// The forms a secret value may be printed in, each of which the masker replaces: the value; each line of a
/// multi-line value; base64 (standard and URL alphabets) of each of those at the three alignments a value can have
/// inside a longer encoded text (as actions/runner's masker encodes them); URL-escaped and JSON-escaped.
/// </summary>
internal static class SecretForms
{
    /// <summary>Shorter values and forms are not masked: they would blank out ordinary words.</summary>
    public const int MinLength = 4;

    /// <summary>The shortest encoded form masked: fewer base64 characters match too much that is not the secret.</summary>
    private const int MinEncodedLength = 6;

    public static IEnumerable<string> Of(string value)
    {
        var forms = new HashSet<string>(StringComparer.Ordinal);
        var parts = new List<string> { value };
        parts.AddRange(value.Split('\n').Select(l => l.TrimEnd('\r')).Where(l => l.Trim().Length >= MinLength));
        foreach (var part in parts.Distinct(StringComparer.Ordinal))
        {
            forms.Add(part);
            foreach (var escaped in Escaped(part)) forms.Add(escaped);
            foreach (var encoded in Base64(Encoding.UTF8.GetBytes(part))) forms.Add(encoded);
        }

        return forms.Where(f => f.Length >= MinLength);
    }

    private static IEnumerable<string> Escaped(string value)
    {
        yield return Uri.EscapeDataString(value);
        yield return WebUtility.UrlEncode(value);
        yield return JsonEncodedText.Encode(value).ToString();
        yield return JsonEncodedText.Encode(value, JavaScriptEncoder.UnsafeRelaxedJsonEscaping).ToString();
    }

    /// <summary>
    /// For each alignment: the value's bytes from the first that starts a 3-byte group, encoded, keeping only the
    /// characters its own bytes decide (the last partial group's final character also holds the next byte's bits, and
    /// padding is only there at the very end). A value encoded alone starts at alignment 0, so its full encoding is
    /// masked too.
    /// </summary>
    private static IEnumerable<string> Base64(byte[] bytes)
    {
        yield return Convert.ToBase64String(bytes);
        for (var shift = 0; shift < 3 && shift < bytes.Length; shift++)
        {
            var rest = bytes.AsSpan(shift);
            var decided = rest.Length / 3 * 4 + rest.Length % 3;
            if (decided < MinEncodedLength) continue;
            var encoded = Convert.ToBase64String(rest)[..decided];
            yield return encoded;
            yield return encoded.Replace('+', '-').Replace('/', '_');
        }
    }
}
