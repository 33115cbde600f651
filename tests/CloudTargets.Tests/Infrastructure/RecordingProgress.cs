using System.Text.Json.Nodes;
using Contracts.Protocol;
using Runner.Kubernetes;

namespace CloudTargets.Tests.Infrastructure;

/// <summary>Keeps what a step saved through heartbeats, merged per step as the orchestrator merges them, so that a test
/// can hand them to the next attempt as <see cref="StepClaim.PreviousOutputs"/>.</summary>
internal sealed class RecordingProgress : IStepProgress
{
    private readonly Lock _gate = new();
    private readonly Dictionary<Guid, JsonObject> _saved = [];

    public event Action<JsonObject>? Saved;

    public JsonObject For(Guid stepId)
    {
        lock (_gate)
        {
            return _saved.GetValueOrDefault(stepId)?.DeepClone().AsObject() ?? [];
        }
    }

    public Task SaveAsync(StepClaim claim, JsonObject outputs, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            var merged = _saved.GetValueOrDefault(claim.StepId) ?? [];
            foreach (var (key, value) in outputs)
            {
                merged[key] = value?.DeepClone();
            }

            _saved[claim.StepId] = merged;
        }

        Saved?.Invoke(outputs);
        return Task.CompletedTask;
    }
}
