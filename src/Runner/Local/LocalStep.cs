using Contracts;
using Contracts.Protocol;
using Contracts.Specs;
using Runner.Agent;

namespace Runner.Local;

/// <summary>Everything a local step handler works with: the claim, its spec, its log and the runner's directories.</summary>
internal sealed class LocalStep
{
    public LocalStep(StepContext context, RunnerOptions options)
    {
        Context = context;
        Options = options;
        Layout = new LocalLayout(options.StateDir, context.Claim.Environment);
    }

    public StepContext Context { get; }
    public TimeProvider Time => Context.Time;
    public StepClaim Claim => Context.Claim;
    public RolloutSpec Spec => Context.Spec;
    public IStepLog Log => Context.Log;
    public RunnerOptions Options { get; }
    public LocalLayout Layout { get; }
    public string Revision => Claim.Revision;

    public LocalTargetSpec Target => Spec.Target.Local ?? new LocalTargetSpec();

    public string ArtifactsDir =>
        string.IsNullOrWhiteSpace(Target.ArtifactsDir) ? Path.Combine(Options.WorkDir, "artifacts") : Target.ArtifactsDir;

    public string FrontUrl => $"http://127.0.0.1:{Target.FrontPort}";

    public int? IntParameter(string name) => Context.IntParameter(name);

    public double? DoubleParameter(string name) => Context.DoubleParameter(name);

    /// <summary>An earlier step's output (by step name).</summary>
    public string? Input(string stepName, string member) => Context.Input(stepName, member);

    /// <summary>The environment's state as the orchestrator recorded it at claim time.</summary>
    public EnvironmentState State => Context.State;

    public Processes.ProcessCommand EngineCommand(params string[] arguments) => new(Options.EnginePath, arguments);
}
