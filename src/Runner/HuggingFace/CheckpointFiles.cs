namespace Runner.HuggingFace;

/// <summary>The files of a Hugging Face repository that a checkpoint conversion reads (see <c>engine convert</c>): the
/// configs, the tokenizer files and the safetensors weights with their index, at the repository's top level, and
/// <c>original/tokenizer.model</c> (where Meta's Llama 3 repositories keep the tiktoken file the converter reads).
/// Everything else (PyTorch <c>.bin</c> or <c>original/*.pth</c> copies of the weights, READMEs, images) is left on the Hub.</summary>
internal static class CheckpointFiles
{
    private static readonly HashSet<string> Named = new(StringComparer.Ordinal)
    {
        "config.json",
        "generation_config.json",
        "tokenizer.model",
        "tokenizer.json",
        "tokenizer_config.json",
        "special_tokens_map.json",
        "model.safetensors.index.json",
    };

    public static bool IsNeeded(string path) =>
        path == "original/tokenizer.model"
        || (!path.Contains('/', StringComparison.Ordinal) && (Named.Contains(path) || path.EndsWith(".safetensors", StringComparison.Ordinal)));

    public static IReadOnlyList<HubFile> Select(IEnumerable<HubFile> files) => files.Where(f => IsNeeded(f.Path)).ToList();
}
