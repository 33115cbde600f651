using System.Globalization;

namespace Resilience.Tests.Infrastructure;

/// <summary>
/// How many runs, kills and restarts each suite does. The defaults fit the CI budget on two cores; bench/resilience/run.sh
/// raises them. <c>RESILIENCE_SCALE</c> multiplies every default; an explicit <c>RESILIENCE_X</c> count wins over it.
/// </summary>
public static class Counts
{
    public static int RunnerKills => Read("RESILIENCE_RUNNER_KILLS", 20);
    public static int OrchestratorKills => Read("RESILIENCE_ORCHESTRATOR_KILLS", 20);
    public static int OrchestratorKillRuns => Read("RESILIENCE_ORCHESTRATOR_RUNS", 100);
    public static int SoakRuns => Read("RESILIENCE_SOAK_RUNS", 300);

    private static int Read(string name, int ciDefault)
    {
        if (int.TryParse(Environment.GetEnvironmentVariable(name), NumberStyles.None, CultureInfo.InvariantCulture, out var count) && count > 0)
            return count;
        var scale = double.TryParse(Environment.GetEnvironmentVariable("RESILIENCE_SCALE"), NumberStyles.Float, CultureInfo.InvariantCulture, out var s) && s > 0 ? s : 1;
        return Math.Max(1, (int)Math.Round(ciDefault * scale));
    }
}
