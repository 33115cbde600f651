namespace Orchestrator.Health;

public static class HealthStatuses
{
    public const string Healthy = "healthy";
    public const string Degraded = "degraded";
    public const string Down = "down";
    public const string Unknown = "unknown";
}
