namespace CloudTargets.Kubernetes;

/// <summary>The Hugging Face repositories the JetStream-PyTorch v0.2.4 server accepts as <c>--model_id</c> for this
/// product's families (its <c>fetch_models.model_id_to_class</c>): any other id makes the server exit at start.</summary>
public static class ServerModels
{
    private static readonly Dictionary<(string Family, string Size), string[]> Ids = new()
    {
        [("gemma", "7b")] = ["google/gemma-7b", "google/gemma-7b-it"],
        [("llama-3", "8b")] = ["meta-llama/Meta-Llama-3-8B", "meta-llama/Meta-Llama-3-8B-Instruct"],
    };

    public static IReadOnlyList<string> For(string family, string size) => Ids.GetValueOrDefault((family, size)) ?? [];
}
