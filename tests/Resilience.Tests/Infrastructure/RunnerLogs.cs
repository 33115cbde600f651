using System.Text.RegularExpressions;

namespace Resilience.Tests.Infrastructure;

/// <summary>
/// What the runners say they did, read from their log files (<c>runner-NAME.log</c> under a stack's directory): every
/// claim (step and attempt) and every finished step. The runner writes the claim line before it starts the work and the
/// finished line after the orchestrator accepted the completion, so these are executions, not intentions.
/// </summary>
public static partial class RunnerLogs
{
    public sealed record Execution(string Runner, Guid StepId, int Attempt);

    public static IReadOnlyList<Execution> Claims(string stackDir) =>
        Lines(stackDir).SelectMany(l => ClaimPattern().Matches(l.Text).Select(m =>
            new Execution(l.Runner, Guid.Parse(m.Groups[1].Value), int.Parse(m.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture)))).ToList();

    public static IReadOnlyList<(string Runner, Guid StepId, string Outcome)> Finished(string stackDir) =>
        Lines(stackDir).SelectMany(l => FinishedPattern().Matches(l.Text).Select(m => (l.Runner, Guid.Parse(m.Groups[1].Value), m.Groups[2].Value))).ToList();

    /// <summary>Steps run twice: one attempt claimed more than once, or one step completed as succeeded more than once
    /// (a retried run re-runs only the steps that did not succeed).</summary>
    public static IReadOnlyList<string> Duplicates(string stackDir)
    {
        var twiceClaimed = Claims(stackDir).GroupBy(c => (c.StepId, c.Attempt)).Where(g => g.Count() > 1)
            .Select(g => $"step {g.Key.StepId} attempt {g.Key.Attempt} claimed by {string.Join(", ", g.Select(c => c.Runner))}");
        var twiceSucceeded = Finished(stackDir).Where(f => f.Outcome == "succeeded").GroupBy(f => f.StepId).Where(g => g.Count() > 1)
            .Select(g => $"step {g.Key} succeeded {g.Count()} times ({string.Join(", ", g.Select(f => f.Runner))})");
        return [.. twiceClaimed, .. twiceSucceeded];
    }

    private static IEnumerable<(string Runner, string Text)> Lines(string stackDir) =>
        Directory.EnumerateFiles(stackDir, "runner-*.log").Select(f => (Path.GetFileNameWithoutExtension(f)["runner-".Length..], File.ReadAllText(f)));

    [GeneratedRegex(@"Claimed step ([0-9a-f-]{36}) .*?, attempt (\d+)")]
    private static partial Regex ClaimPattern();

    [GeneratedRegex(@"Step ([0-9a-f-]{36}) finished: (\w+)")]
    private static partial Regex FinishedPattern();
}
