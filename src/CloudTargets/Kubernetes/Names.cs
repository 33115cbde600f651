namespace CloudTargets.Kubernetes;

/// <summary>Fixed Kubernetes names and labels (DESIGN.md "Facts the engine and the manifests must match").</summary>
public static class Names
{
    public const string Secret = "huggingface-secret";
    public const string SecretKey = "HUGGINGFACE_TOKEN";
    public const string ConverterJob = "checkpoint-converter";
    public const string App = "jetstream-pytorch-server";
    public const string Service = "jetstream-svc";
    public const string AppLabel = "app";
    public const string RevisionLabel = "orchestrator.dev/revision";
    public const string WorkloadIdentityAnnotation = "iam.gke.io/gcp-service-account";
    public const string FieldManager = "orchestrator";
    /// <summary>On the Deployment: how its startup probe's budget was derived (<see cref="LoadBudget.Describe"/>).</summary>
    public const string LoadBudgetAnnotation = "orchestrator.dev/load-budget";
    /// <summary>The HTTP front's port (<c>jetstream-http</c>): <c>/generate</c>, <c>/healthcheck</c>, the Service.</summary>
    public const int HttpPort = 8000;
    /// <summary>The server container's port; the engine image in this repository serves its <c>/metrics</c> there.</summary>
    public const int ServerPort = 9000;

    /// <summary>The revision's Deployment; its HorizontalPodAutoscaler and PodMonitoring carry the same name.</summary>
    public static string Deployment(string revision) => $"{App}-{revision}";

    /// <summary>On a HorizontalPodAutoscaler held at a canary's split: the <c>{"minReplicas","maxReplicas"}</c> to restore.</summary>
    public const string PinnedAnnotation = "orchestrator.dev/autoscaling-range";
}
