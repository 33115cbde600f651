using Contracts;

namespace Orchestrator.Environments;

/// <summary><see cref="State"/> is what the runners recorded (stable and canary revisions, weight, front URL, the last
/// rollback).</summary>
public sealed record EnvironmentDto(string Name, string TargetKind, DateTimeOffset CreatedAt, EnvironmentState State, ApprovalSettings Approval);
