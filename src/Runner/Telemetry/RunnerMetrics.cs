using Prometheus;

namespace Runner.Telemetry;

/// <summary>
/// The runner's Prometheus metrics, served by <see cref="MetricsServer"/> when <c>--metrics-port</c> is given. Static
/// because the process helpers that count children are; one agent runs per process. A registry of its own: prometheus-net's
/// default one would also start its runtime adapters. The names and labels are listed in the README.
/// </summary>
internal static class RunnerMetrics
{
    private static readonly double[] StepBuckets = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800, 3600];

    public static CollectorRegistry Registry { get; } = Metrics.NewCustomRegistry();

    private static readonly MetricFactory Factory = Metrics.WithCustomRegistry(Registry);

    public static Gauge StepsRunning { get; } = Factory.CreateGauge("runner_steps_running", "Steps this runner is working on, by kind.", "kind");

    public static Counter Steps { get; } = Factory.CreateCounter("runner_steps_total",
        "Step attempts whose work ended on this runner, by kind and outcome (succeeded, skipped, failed, cancelled, inconclusive, stopped).", "kind", "outcome");

    public static Histogram StepDuration { get; } = Factory.CreateHistogram("runner_step_duration_seconds",
        "How long the work of a step attempt took on this runner, by kind and outcome.",
        new HistogramConfiguration { LabelNames = ["kind", "outcome"], Buckets = StepBuckets });

    public static Gauge ChildProcesses { get; } = Factory.CreateGauge("runner_child_processes",
        "Child processes the runner is attached to (converters and the like; engine replicas are detached and not counted here).");

    public static Counter ChildProcessesStarted { get; } = Factory.CreateCounter("runner_child_processes_started_total",
        "Processes the runner started, by mode: attached (it streams their output and waits) or detached (engine replicas, the front).", "mode");

    public static Counter ChildProcessExits { get; } = Factory.CreateCounter("runner_child_process_exits_total",
        "Attached child processes that exited, by result (success: exit code 0; failure: another; stopped: the runner stopped them).", "result");
}
