using Contracts;

namespace Orchestrator.Planning;

/// <summary>Per-kind time limits of one attempt (api.md): conversion and deployment are slow, a noop is not.</summary>
public static class StepTimeouts
{
    public static int For(string kind) => kind switch
    {
        StepKinds.CheckpointConvert => 3600,
        StepKinds.EngineDeploy => 1800,
        StepKinds.Noop => 60,
        _ => 600,
    };
}
