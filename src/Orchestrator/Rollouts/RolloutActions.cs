namespace Orchestrator.Rollouts;

/// <summary>What a rollout does: apply its spec, or tear down what the environment created (<c>rollouts.action</c>).</summary>
public static class RolloutActions
{
    public const string Apply = "apply";
    public const string Teardown = "teardown";
}
