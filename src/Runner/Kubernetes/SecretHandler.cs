using System.Text.Json.Nodes;
using CloudTargets.Kubernetes;
using Runner.Agent;
using Runner.HuggingFace;

namespace Runner.Kubernetes;

/// <summary><c>secret.ensure</c>: the <c>huggingface-secret</c> Secret, created or replaced by server-side apply. The
/// token is masked in every log line from here on and appears in no output.</summary>
internal sealed class SecretHandler(SecretMasker masker)
{
    public async Task<StepResult> RunAsync(KubeStep step, CancellationToken cancellationToken)
    {
        var token = await TokenReference.ResolveAsync(step.Target.HuggingFaceToken, "target.huggingFaceToken", step.Claim.Secrets, cancellationToken);
        masker.Add(token);
        await KubeApply.ApplyAsync(step.Client, step.Manifests.Secret(token), cancellationToken);
        step.Log.Write($"secret {step.Namespace}/{Names.Secret} holds {Names.SecretKey}");
        return StepResult.Succeeded(new JsonObject { ["secret"] = Names.Secret });
    }
}
