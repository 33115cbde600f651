using Contracts.Specs;

namespace CloudTargets.Kubernetes;

/// <summary>Where the converted checkpoint of a model lives in the bucket and what the JetStream images call it,
/// as in the manual procedure: <c>gs://BUCKET/pytorch/MODEL/final/bf16/</c> (or <c>int8/</c>).</summary>
public sealed record ModelLayout(RolloutSpec Spec)
{
    public string ModelName => Spec.Model.Family;

    public string Size => Spec.Model.Size;

    /// <summary>The Hugging Face repository: from <c>hf://org/name@revision</c>, else the procedure's default.</summary>
    public string HuggingFaceRepo
    {
        get
        {
            var source = Spec.Model.Source;
            if (source.StartsWith("hf://", StringComparison.Ordinal))
            {
                var repo = source["hf://".Length..];
                var at = repo.IndexOf('@', StringComparison.Ordinal);
                return at < 0 ? repo : repo[..at];
            }

            return ModelName == "gemma" ? $"google/gemma-{Size}-it-pytorch" : "meta-llama/Meta-Llama-3-8B";
        }
    }

    public string ModelDir => ModelName == "gemma" ? $"gemma-{Size}-it" : $"{ModelName}-{Size}";

    public string Precision => Spec.Engine.QuantizeWeights ? "int8" : "bf16";

    /// <summary>Object prefix of the converted checkpoint inside the bucket.</summary>
    public string ObjectPrefix => $"pytorch/{ModelDir}/final/{Precision}/";

    public string CheckpointObject => $"{ObjectPrefix}model.safetensors";

    public string TokenizerObject => $"{ObjectPrefix}tokenizer.model";

    /// <summary>The marker written after a successful conversion (see <c>CheckpointMarker</c>).</summary>
    public string MarkerObject => $"{ObjectPrefix}{CloudTargets.Google.CheckpointMarker.ObjectName}";

    /// <summary>What the checkpoint is converted from, as the marker records it.</summary>
    public string SourceId => $"{Spec.Model.Source}|{HuggingFaceRepo}|{Precision}";

    public string MountPath => "/models";
}
