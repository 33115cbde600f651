using Contracts;

namespace Orchestrator.Environments;

/// <summary><see cref="State"/> is what the runners recorded (stable and canary revisions, weight, front URL, the last
/// rollback); <see cref="Health"/> holds the settings (interval in seconds as <c>"30s"</c>, notification URLs) and
/// <see cref="HealthStatus"/> the derived status.</summary>
public sealed record EnvironmentDto(
    string Name, string TargetKind, DateTimeOffset CreatedAt, EnvironmentState State, ApprovalSettings Approval, HealthSettings Health,
    string HealthStatus);
