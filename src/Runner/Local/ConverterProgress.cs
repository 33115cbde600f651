using System.Globalization;
using System.Text.RegularExpressions;
using Contracts.Protocol;
using Runner.Agent;

namespace Runner.Local;

/// <summary>
/// Reads <c>engine convert</c>'s own progress lines (<c>converted 12/40 tensors (30%)</c>, printed when its output is
/// not a terminal) as the step's progress in tensors; every line still goes to the step's log.
/// </summary>
internal static partial class ConverterProgress
{
    /// <summary>A line handler for the converter's output: logs the line and reports the tensors it tells of.</summary>
    public static Action<string> Reporting(IStepLog log, ProgressReporter progress) => line =>
    {
        log.Write(line);
        if (Parse(line) is var (done, total)) progress.Report(done, total, StepProgressUnits.Tensors);
    };

    public static (int Done, int Total)? Parse(string line)
    {
        var match = Line().Match(line);
        return match.Success
            ? (int.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture), int.Parse(match.Groups[2].Value, CultureInfo.InvariantCulture))
            : null;
    }

    [GeneratedRegex(@"^\s*converted (\d{1,9})/(\d{1,9}) tensors\b")]
    private static partial Regex Line();
}
