namespace EngineImage.Inference;

/// <summary>How the next token is chosen. Temperature 0 is greedy (argmax), the default.</summary>
public sealed record SamplingParams(float Temperature = 0f, int TopK = 0, float TopP = 1f, int? Seed = null)
{
    public static readonly SamplingParams Greedy = new();
    public bool IsGreedy => Temperature <= 0f;
}
