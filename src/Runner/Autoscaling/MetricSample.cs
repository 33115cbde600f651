namespace Runner.Autoscaling;

/// <summary>One reading of a revision's engines: the gauge's average over the <see cref="Replicas"/> that answered.</summary>
internal readonly record struct MetricSample(DateTimeOffset At, int Replicas, double Value);
