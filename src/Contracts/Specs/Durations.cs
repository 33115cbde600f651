using System.Globalization;
using System.Text.RegularExpressions;

namespace Contracts.Specs;

/// <summary>Durations as specs write them: <c>90s</c>, <c>5m</c>, <c>2h</c>, <c>3d</c>, or combined like <c>1h30m</c>.</summary>
public static partial class Durations
{
    [GeneratedRegex("^(?:(\\d+)d)?(?:(\\d+)h)?(?:(\\d+)m)?(?:(\\d+)s)?$")]
    private static partial Regex Pattern();

    public static bool TryParse(string? text, out TimeSpan duration)
    {
        duration = TimeSpan.Zero;
        if (string.IsNullOrEmpty(text)) return false;
        var match = Pattern().Match(text);
        if (!match.Success) return false;
        long seconds = 0;
        int[] unit = [86400, 3600, 60, 1];
        for (var i = 0; i < 4; i++)
        {
            if (!match.Groups[i + 1].Success) continue;
            if (!long.TryParse(match.Groups[i + 1].Value, NumberStyles.None, CultureInfo.InvariantCulture, out var n) || n > 10_000_000)
                return false;
            seconds += n * unit[i];
        }
        duration = TimeSpan.FromSeconds(seconds);
        return true;
    }
}
