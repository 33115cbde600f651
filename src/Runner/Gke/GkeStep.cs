using System.Text.Json;
using CloudTargets.Google;
using Contracts;
using Contracts.Protocol;
using Contracts.Specs;
using Runner.Agent;

namespace Runner.Gke;

/// <summary>Everything a gke step handler works with: the claim, its spec and names, the request builders, the log.</summary>
internal sealed class GkeStep
{
    public GkeStep(StepClaim claim, IStepLog log, GcpOptions options)
    {
        Claim = claim;
        Log = log;
        Spec = claim.Spec.Deserialize<RolloutSpec>(ContractJson.Options) ?? new RolloutSpec();
        Target = GkeTarget.From(Spec);
        Gke = new GkeRequests(options.Endpoints, Target);
        Iam = new IamRequests(options.Endpoints, Target);
        Storage = new StorageRequests(options.Endpoints, Target);
    }

    public StepClaim Claim { get; }
    public IStepLog Log { get; }
    public RolloutSpec Spec { get; }
    public GkeTarget Target { get; }
    public GkeRequests Gke { get; }
    public IamRequests Iam { get; }
    public StorageRequests Storage { get; }

    public string? PreviousOutput(string member) =>
        Claim.PreviousOutputs[member] is System.Text.Json.Nodes.JsonValue value && value.TryGetValue<string>(out var text) ? text : null;
}
