namespace CloudTargets.Kubernetes;

/// <summary>The public images of the manual procedure (<c>us-docker.pkg.dev/cloud-tpu-images/inference/</c>).</summary>
public static class Images
{
    private const string Registry = "us-docker.pkg.dev/cloud-tpu-images/inference/";

    public const string Converter = Registry + "inference-checkpoint:v0.2.3";
    public const string Server = Registry + "jetstream-pytorch-server:v0.2.3";
    /// <summary>v0.2.4 lets the server download from Hugging Face itself (<c>--model_id</c>; <c>model.load: server</c>).</summary>
    public const string ServerWithModelId = Registry + "jetstream-pytorch-server:v0.2.4";
    /// <summary>v0.2.3 of the HTTP front is the first with <c>/healthcheck</c>, which the probes need.</summary>
    public const string Http = Registry + "jetstream-http:v0.2.3";
}
