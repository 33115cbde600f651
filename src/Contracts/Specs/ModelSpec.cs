namespace Contracts.Specs;

/// <summary>Which model: family (<c>llama-3</c> | <c>gemma</c>), size (<c>8b</c>, <c>7b</c>, <c>tiny</c>, <c>small</c>) and where its Hugging Face checkpoint comes from
/// (<c>hf://org/name@revision</c> or <c>file:///dir</c>).</summary>
public sealed record ModelSpec
{
    public string Family { get; init; } = "";
    public string Size { get; init; } = "";
    public string Source { get; init; } = "";
}
