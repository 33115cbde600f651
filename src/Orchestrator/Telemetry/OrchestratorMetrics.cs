using Prometheus;

namespace Orchestrator.Telemetry;

/// <summary>
/// The service's Prometheus metrics, in a registry of this host's own (several hosts in one process, as in the tests,
/// must not share counters). Counters and histograms count what happened in this process; the gauges are the
/// database's state, set by <see cref="DatabaseGauges"/> at scrape time so that every instance reports the same.
/// The names and labels are listed in the README ("Metrics and traces"); a change there is a change here.
/// </summary>
public sealed class OrchestratorMetrics
{
    private static readonly double[] StepBuckets = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800, 3600];
    private static readonly double[] LatencyBuckets = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

    public OrchestratorMetrics()
    {
        Registry = Metrics.NewCustomRegistry();
        var f = Metrics.WithCustomRegistry(Registry);
        StepAttempts = f.CreateCounter("orchestrator_step_attempts_total",
            "Step attempts that ended, by step kind and outcome (succeeded, skipped, failed, cancelled, inconclusive, released, lease_expired, timed_out).",
            "kind", "outcome");
        StepAttemptDuration = f.CreateHistogram("orchestrator_step_attempt_duration_seconds",
            "From claim to end of each step attempt, by step kind and outcome.",
            new HistogramConfiguration { LabelNames = ["kind", "outcome"], Buckets = StepBuckets });
        DispatchLatency = f.CreateHistogram("orchestrator_dispatch_latency_seconds",
            "From the moment a step could be claimed (ready, and past any retry backoff) to its claim, by step kind.",
            new HistogramConfiguration { LabelNames = ["kind"], Buckets = LatencyBuckets });
        LeaseExpiries = f.CreateCounter("orchestrator_lease_expiries_total",
            "Attempts ended by the lease sweeper, by reason (lease_expired: the runner stopped renewing; timed_out: past the step's timeout).",
            "reason");
        RunsCreated = f.CreateCounter("orchestrator_runs_created_total", "Runs created by this instance, by trigger.", "trigger");
        WebhookDeliveries = f.CreateCounter("orchestrator_webhook_deliveries_received_total",
            "GitHub webhook requests, by event and result (recorded, or why it was refused).", "event", "result");
        WebhookOutcomes = f.CreateCounter("orchestrator_webhook_deliveries_processed_total",
            "GitHub deliveries worked on to an end, by outcome.", "outcome");
        ScheduleFirings = f.CreateCounter("orchestrator_schedule_firings_total",
            "Schedule triggers that fired, by action and outcome (started, nothing, duplicate).", "action", "outcome");

        Runs = f.CreateGauge("orchestrator_runs", "Runs in the database, by status and trigger.", "status", "trigger");
        QueueDepth = f.CreateGauge("orchestrator_queue_depth", "Steps that a runner could claim now (ready and past any backoff).");
        OldestReadyAge = f.CreateGauge("orchestrator_queue_oldest_ready_age_seconds", "How long the oldest claimable step has waited; 0 when none waits.");
        RunnersOnline = f.CreateGauge("orchestrator_runners_online", "Registered runners seen within the offline horizon (their long polls or claims).");
        EnvironmentHealth = f.CreateGauge("orchestrator_environment_health",
            "1 for each environment's current health status (healthy, degraded, down, unknown), 0 for the others.", "environment", "status");
        DatabaseUp = f.CreateGauge("orchestrator_metrics_database_up", "1 when the last scrape could read the gauges from the database, else 0 (they keep their last values).");
    }

    public CollectorRegistry Registry { get; }

    public Counter StepAttempts { get; }
    public Histogram StepAttemptDuration { get; }
    public Histogram DispatchLatency { get; }
    public Counter LeaseExpiries { get; }
    public Counter RunsCreated { get; }
    public Counter WebhookDeliveries { get; }
    public Counter WebhookOutcomes { get; }
    public Counter ScheduleFirings { get; }

    public Gauge Runs { get; }
    public Gauge QueueDepth { get; }
    public Gauge OldestReadyAge { get; }
    public Gauge RunnersOnline { get; }
    public Gauge EnvironmentHealth { get; }
    public Gauge DatabaseUp { get; }
}
