using CloudTargets.Google;
using Contracts.Protocol;
using Contracts.Specs;
using Runner.Agent;

namespace Runner.Gke;

/// <summary>Everything a gke step handler works with: the claim, its spec and names, the request builders, the log.</summary>
internal sealed class GkeStep
{
    public GkeStep(StepContext context, GcpOptions options)
    {
        Context = context;
        Target = GkeTarget.From(Spec);
        Gke = new GkeRequests(options.Endpoints, Target);
        Iam = new IamRequests(options.Endpoints, Target);
        Storage = new StorageRequests(options.Endpoints, Target);
    }

    public StepContext Context { get; }
    public StepClaim Claim => Context.Claim;
    public IStepLog Log => Context.Log;
    public RolloutSpec Spec => Context.Spec;
    public GkeTarget Target { get; }
    public GkeRequests Gke { get; }
    public IamRequests Iam { get; }
    public StorageRequests Storage { get; }

    public string? PreviousOutput(string member) => Context.PreviousOutput(member);
}
