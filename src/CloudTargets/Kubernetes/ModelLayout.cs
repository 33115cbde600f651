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
            if (HubSource.TryParse(Spec.Model.Source, out var source, out _)) return source.Repository;
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

    /// <summary><c>model.load: server</c>: the JetStream-PyTorch server downloads from Hugging Face (<c>--model_id</c>);
    /// nothing is converted and the bucket is not mounted.</summary>
    public bool ServerDownloads => Spec.Model.Load == ModelSpec.LoadServer;

    /// <summary>Parameters of the architectures DESIGN.md names (Llama 3 8B: 8.03 billion; Gemma 7B: 8.54 billion with
    /// its 256000-token embedding), at 2 bytes each in bf16 and 1 in int8; 0 for the small test models.</summary>
    public long EstimatedCheckpointBytes
    {
        get
        {
            long parameters = (ModelName, Size) switch
            {
                ("llama-3", "8b") => 8_030_000_000,
                ("gemma", "7b") => 8_540_000_000,
                _ => 0,
            };
            return Spec.Engine.QuantizeWeights && !ServerDownloads ? parameters : parameters * 2;
        }
    }
}
