using System.Text.Json;
using System.Text.Json.Nodes;
using Contracts;
using Contracts.Protocol;
using Contracts.Specs;

namespace Runner.Agent;

/// <summary>
/// One claimed step as its work reads it, built once by the agent: the claim, the rollout spec and the environment's
/// state parsed into their contract types, the outputs of earlier steps, the step's log and why its work may stop.
/// Every target's provider and handler reads these rather than the claim's JSON.
/// </summary>
internal sealed class StepContext
{
    public StepContext(StepClaim claim, IStepLog log, WorkStop stop, ProgressReporter? progress = null, TimeProvider? time = null)
    {
        Claim = claim;
        Log = log;
        Stop = stop;
        Time = time ?? TimeProvider.System;
        Progress = progress ?? new ProgressReporter(Time);
        Spec = claim.Spec.Deserialize<RolloutSpec>(ContractJson.Options) ?? new RolloutSpec();
        State = EnvironmentStates.Of(claim);
    }

    public StepClaim Claim { get; }
    public IStepLog Log { get; }
    /// <summary>Tells, once the work's token fired, why: a handler may undo work when the run was cancelled but keep it
    /// when the runner merely shuts down; also carries the server's request to finish.</summary>
    public WorkStop Stop { get; }
    /// <summary>Where a long step reports how far it has come (sent to the orchestrator with a heartbeat).</summary>
    public ProgressReporter Progress { get; }
    public RolloutSpec Spec { get; }
    /// <summary>The agent's clock: every delay, deadline and timestamp of a handler is read from it.</summary>
    public TimeProvider Time { get; }
    /// <summary>The environment's state as the orchestrator recorded it at claim time.</summary>
    public EnvironmentState State { get; }
    public string Kind => Claim.Kind;
    public string Revision => Claim.Revision;

    public int? IntParameter(string name) =>
        Claim.Parameters[name] is JsonValue value && value.TryGetValue<int>(out var number) ? number : null;

    public double? DoubleParameter(string name) =>
        Claim.Parameters[name] is JsonValue value && value.TryGetValue<double>(out var number) ? number : null;

    public string? StringParameter(string name) =>
        Claim.Parameters[name] is JsonValue value && value.TryGetValue<string>(out var text) ? text : null;

    public bool BoolParameter(string name) =>
        Claim.Parameters[name] is JsonValue value && value.TryGetValue<bool>(out var flag) && flag;

    /// <summary>A parameter that holds a contract record (an analysis), or null.</summary>
    public T? Parameter<T>(string name) where T : class => Claim.Parameters[name]?.Deserialize<T>(ContractJson.Options);

    /// <summary>An earlier step's output (by step name).</summary>
    public string? Input(string stepName, string member) =>
        (Claim.Inputs[stepName] as JsonObject)?[member] is JsonValue value && value.TryGetValue<string>(out var text) ? text : null;

    /// <summary>What this step reported in an earlier attempt (e.g. a long-running operation's name).</summary>
    public string? PreviousOutput(string member) =>
        Claim.PreviousOutputs[member] is JsonValue value && value.TryGetValue<string>(out var text) ? text : null;
}
