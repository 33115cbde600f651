using System.Globalization;
using Xunit.Abstractions;

namespace Resilience.Tests.Infrastructure;

/// <summary>One suite's figures: printed to the test output and appended, one line per suite, to the file named by
/// <c>RESILIENCE_FIGURES</c> (default: <c>resilience-figures.txt</c> in the temp folder), which scripts/test.sh and
/// bench/resilience/run.sh print as a table. Written before the assertions, so a failing suite still reports.</summary>
public sealed record Figures(string Suite, int Runs, int Kills, int Restarts, int Duplicates, int Losses, int ServerErrors, double WallSeconds)
{
    public static string FilePath =>
        Environment.GetEnvironmentVariable("RESILIENCE_FIGURES") is { Length: > 0 } path ? path : Path.Combine(Path.GetTempPath(), "resilience-figures.txt");

    public string Line => string.Create(CultureInfo.InvariantCulture,
        $"figures suite={Suite} runs={Runs} kills={Kills} restarts={Restarts} duplicates={Duplicates} losses={Losses} 5xx={ServerErrors} wall_s={WallSeconds:F1}");

    public void Report(ITestOutputHelper output)
    {
        output.WriteLine(Line);
        File.AppendAllText(FilePath, Line + "\n");
    }
}
