namespace Orchestrator.Limits;

/// <summary>Which of <see cref="BodyLimitOptions"/> an endpoint's body is held to; endpoints without one get <c>Default</c>.</summary>
public enum BodyKind
{
    Default,
    Runner,
    Webhook,
}
