namespace HealthBench;

/// <summary>The CPU seconds used so far by the watcher (the runner process), the orchestrator process, PostgreSQL (the
/// postmaster and its children; null when it runs elsewhere) and the synthetic engines (shown, never counted).</summary>
internal sealed class Clock(int runner, int orchestrator, int? postmaster, int engines)
{
    public Reading Read() => new(ProcCpu.Seconds(runner), ProcCpu.Seconds(orchestrator), postmaster is { } pg ? ProcCpu.TreeSeconds(pg) : double.NaN,
        ProcCpu.Seconds(engines));

    public sealed record Reading(double Runner, double Orchestrator, double Postgres, double Engines)
    {
        public double Counted => Runner + Orchestrator;

        public static Reading operator -(Reading a, Reading b) =>
            new(a.Runner - b.Runner, a.Orchestrator - b.Orchestrator, a.Postgres - b.Postgres, a.Engines - b.Engines);
    }
}
