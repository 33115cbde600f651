namespace Contracts.Specs;

/// <summary>Which model: family (<c>llama-3</c> | <c>gemma</c>), size (<c>8b</c>, <c>7b</c>, <c>tiny</c>, <c>small</c>) and where its Hugging Face checkpoint comes from
/// (<c>hf://org/name@revision</c> or <c>file:///dir</c>). <see cref="Load"/> says how the engine gets the weights.</summary>
public sealed record ModelSpec
{
    /// <summary>The converted checkpoint is read from the bucket (the manual procedure; the default).</summary>
    public const string LoadBucket = "bucket";

    /// <summary>The JetStream-PyTorch server downloads the weights from Hugging Face itself (<c>--model_id</c>, v0.2.4
    /// of the procedure): no conversion. <c>kubernetes</c> and <c>gke</c> targets with an <c>hf://</c> source only.</summary>
    public const string LoadServer = "server";

    public string Family { get; init; } = "";
    public string Size { get; init; } = "";
    public string Source { get; init; } = "";
    public string Load { get; init; } = LoadBucket;
}
