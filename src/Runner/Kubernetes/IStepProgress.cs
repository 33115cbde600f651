using System.Text.Json.Nodes;
using Contracts.Protocol;

namespace Runner.Kubernetes;

/// <summary>Records a step's outputs before the step ends (e.g. a long-running operation's name as soon as it is
/// returned), so that a new attempt after a crash resumes instead of creating again.</summary>
internal interface IStepProgress
{
    Task SaveAsync(StepClaim claim, JsonObject outputs, CancellationToken cancellationToken);
}
