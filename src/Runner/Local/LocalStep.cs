using System.Text.Json;
using System.Text.Json.Nodes;
using Contracts;
using Contracts.Protocol;
using Contracts.Specs;
using Runner.Agent;

namespace Runner.Local;

/// <summary>Everything a local step handler works with: the claim, its spec, its log and the runner's directories.</summary>
internal sealed class LocalStep
{
    public LocalStep(StepClaim claim, IStepLog log, RunnerOptions options)
    {
        Claim = claim;
        Log = log;
        Options = options;
        Spec = claim.Spec.Deserialize<RolloutSpec>(ContractJson.Options) ?? new RolloutSpec();
        Layout = new LocalLayout(options.StateDir, claim.Environment);
    }

    public StepClaim Claim { get; }
    public RolloutSpec Spec { get; }
    public IStepLog Log { get; }
    public RunnerOptions Options { get; }
    public LocalLayout Layout { get; }
    public string Revision => Claim.Revision;

    public LocalTargetSpec Target => Spec.Target.Local ?? new LocalTargetSpec();

    public string ArtifactsDir =>
        string.IsNullOrWhiteSpace(Target.ArtifactsDir) ? Path.Combine(Options.WorkDir, "artifacts") : Target.ArtifactsDir;

    public string FrontUrl => $"http://127.0.0.1:{Target.FrontPort}";

    public int? IntParameter(string name) =>
        Claim.Parameters[name] is JsonValue value && value.TryGetValue<int>(out var number) ? number : null;

    public double? DoubleParameter(string name) =>
        Claim.Parameters[name] is JsonValue value && value.TryGetValue<double>(out var number) ? number : null;

    /// <summary>An earlier step's output (by step name) or, failing that, this step's own earlier attempt's output.</summary>
    public string? Input(string stepName, string member) =>
        (Claim.Inputs[stepName] as JsonObject)?[member]?.GetValue<string>();

    /// <summary>The environment's state as the orchestrator recorded it at claim time.</summary>
    public EnvironmentState State => EnvironmentStates.Of(Claim);

    public Processes.ProcessCommand EngineCommand(params string[] arguments) => new(Options.EnginePath, arguments);
}
