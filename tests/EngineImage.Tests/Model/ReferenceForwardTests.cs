using EngineImage.Tests.Fixtures;

namespace EngineImage.Tests.Model;

/// <summary>
/// The engine, loading the output of <c>convert</c> (engine names, no RoPE permutation), against
/// <see cref="ReferenceForward"/> over the original HF-named weights. Agreement proves the renaming, the RoPE pairing,
/// GQA grouping, Gemma's norm offset, embedding scale and tied output.
/// </summary>
[Collection(ModelsCollection.Name)]
public sealed class ReferenceForwardTests(ModelsFixture models)
{
    [Theory]
    [InlineData("llama-3")]
    [InlineData("gemma")]
    public void Forward_ConvertedCheckpoint_MatchesReferenceOverHfWeights(string family)
    {
        var tokens = models.Tokenizer(family).Encode("The quick brown fox jumps over the lazy dog. Ça va? 中文", addBos: true).ToArray();
        using var reference = new ReferenceForward(models.HfDir(family));
        using var expected = reference.Logits(tokens);
        using var model = models.Load(family);
        using var actual = model.PrefillLogits(0, tokens, lastOnly: false);
        TensorAssert.Close(actual, expected, 1e-4);
    }
}
