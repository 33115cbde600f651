using System.Text.Json.Nodes;

namespace Contracts.Protocol;

/// <summary>
/// Answer of <c>POST /api/runners/claim</c> (long poll, <c>?waitSeconds=30</c>; 204 when nothing came).
/// Every later call about this step carries <see cref="LeaseToken"/>; a stale token gets 409 and the work must stop.
/// </summary>
public sealed record StepClaim
{
    public Guid StepId { get; init; }
    public Guid RunId { get; init; }
    public string Environment { get; init; } = "";
    /// <summary>The rollout's revision id (e.g. <c>r7</c>): names the converted checkpoint and the engine processes.</summary>
    public string Revision { get; init; } = "";
    /// <summary>Step name, unique in its run (<c>traffic.shift-2</c>); <see cref="Kind"/> picks the handler.</summary>
    public string Name { get; init; } = "";
    public string Kind { get; init; } = "";
    public int Attempt { get; init; }
    public Guid LeaseToken { get; init; }
    public DateTimeOffset LeaseExpiresAt { get; init; }
    public int TimeoutSeconds { get; init; }
    /// <summary>The whole rollout spec, as stored.</summary>
    public JsonObject Spec { get; init; } = new();
    /// <summary>Step-specific parameters the planner set (e.g. <c>{"weight": 10}</c>).</summary>
    public JsonObject Parameters { get; init; } = new();
    /// <summary>Outputs of this run's earlier steps keyed by step name, plus <c>"environment"</c>: the environment's
    /// recorded state (stable revision and the like) at claim time.</summary>
    public JsonObject Inputs { get; init; } = new();
    /// <summary>Outputs this step already reported in an earlier attempt (e.g. a long-running operation's name).</summary>
    public JsonObject PreviousOutputs { get; init; } = new();
    /// <summary>The run's W3C trace context (<c>00-TRACE-SPAN-FLAGS</c>): the runner's spans for this step join the run's
    /// trace under it. Null from a server that records no traces.</summary>
    public string? Traceparent { get; init; }
    /// <summary>The values of the stored secrets this step uses, keyed by the reference the spec gives
    /// (<c>secret://NAME</c>): only for the steps that read them (<c>secret.ensure</c>, <c>checkpoint.convert</c>), else
    /// empty. The runner registers every value with its log masker before the step starts; a value never goes back in
    /// an output, an error or a log line.</summary>
    public IReadOnlyDictionary<string, string> Secrets { get; init; } = new Dictionary<string, string>();
}
