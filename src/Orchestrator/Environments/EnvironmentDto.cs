using Contracts;

namespace Orchestrator.Environments;

/// <summary><see cref="State"/> is what the runners recorded (stable and canary revisions, weight, front URL, the last
/// rollback); <see cref="Health"/> holds the settings (interval in seconds as <c>"30s"</c>, notification URLs) and
/// <see cref="HealthStatus"/> the derived status. <see cref="TeardownAt"/> is when the cost guard tears the environment
/// down (its latest succeeded rollout's <c>cleanup.teardownAfter</c>, moved by <c>extend</c>); null when nothing is due.</summary>
public sealed record EnvironmentDto(
    string Name, string TargetKind, DateTimeOffset CreatedAt, EnvironmentState State, ApprovalSettings Approval, HealthSettings Health,
    string HealthStatus, DateTimeOffset? TeardownAt);
