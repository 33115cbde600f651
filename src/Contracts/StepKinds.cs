namespace Contracts;

/// <summary>The step kinds of DESIGN.md's step table plus <c>noop</c> for diagnostics and benchmarks.</summary>
public static class StepKinds
{
    public const string ClusterEnsure = "cluster.ensure";
    public const string NodePoolEnsure = "nodepool.ensure";
    public const string BucketEnsure = "bucket.ensure";
    public const string IdentityEnsure = "identity.ensure";
    public const string SecretEnsure = "secret.ensure";
    public const string CheckpointConvert = "checkpoint.convert";
    public const string EngineDeploy = "engine.deploy";
    public const string TrafficShift = "traffic.shift";
    public const string CanaryPause = "canary.pause";
    public const string CanaryAnalyze = "canary.analyze";
    /// <summary>A gate that waits until a user approves the run; timed by the orchestrator, no runner takes it.</summary>
    public const string Approval = "approval";
    public const string RevisionPromote = "revision.promote";
    public const string RevisionRollback = "revision.rollback";
    public const string Cleanup = "cleanup";
    public const string Noop = "noop";
    /// <summary>Deletes what the manual clean-up deletes (gke: cluster, service account, bucket); 404 counts as done.</summary>
    public const string Teardown = "environment.teardown";
}
