using System.Text.RegularExpressions;

namespace Runner.Analysis;

/// <summary>
/// How far two revisions' greedy answers to the same prompts agree. The HTTP API returns text only, so a token here is
/// a piece of the text: a run of letters or digits, or one other non-space character. <c>exactMatch</c> is the share of
/// prompts answered identically; <c>tokenAgreement</c> the share of positions, over the first N pieces of the longer
/// answer, where both answers hold the same piece.
/// </summary>
internal static partial class GoldenComparison
{
    [GeneratedRegex(@"\w+|[^\w\s]")]
    private static partial Regex Piece();

    public static IReadOnlyList<string> Pieces(string text, int limit) =>
        Piece().Matches(text).Select(m => m.Value).Take(limit).ToList();

    public static (double ExactMatch, double TokenAgreement) Compare(IReadOnlyList<(string Canary, string Stable)> answers, int tokens)
    {
        if (answers.Count == 0) return (0, 0);
        var exact = answers.Count(a => a.Canary == a.Stable);
        double agreed = 0, positions = 0;
        foreach (var (canary, stable) in answers)
        {
            var a = Pieces(canary, tokens);
            var b = Pieces(stable, tokens);
            var length = Math.Max(a.Count, b.Count);
            positions += length;
            for (var i = 0; i < Math.Min(a.Count, b.Count); i++) agreed += a[i] == b[i] ? 1 : 0;
        }
        return ((double)exact / answers.Count, positions == 0 ? 1 : agreed / positions);
    }
}
