using System.Text.Json.Nodes;
using Contracts.Protocol;
using Runner.Agent;

namespace Runner.Kubernetes;

/// <summary>Saves outputs through a heartbeat carrying <see cref="HeartbeatRequest.Outputs"/>: the orchestrator merges them
/// into the step's outputs at once, and a later attempt finds them in <see cref="StepClaim.PreviousOutputs"/>.</summary>
internal sealed class HeartbeatProgress(OrchestratorClient client, TimeProvider time) : IStepProgress
{
    public async Task SaveAsync(StepClaim claim, JsonObject outputs, CancellationToken cancellationToken)
    {
        var left = claim.LeaseExpiresAt - time.GetUtcNow();
        await client.HeartbeatAsync(
            claim.StepId, new HeartbeatRequest(claim.LeaseToken, outputs), left > TimeSpan.Zero ? left : TimeSpan.FromSeconds(5), cancellationToken);
    }
}
