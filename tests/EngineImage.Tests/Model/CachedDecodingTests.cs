using EngineImage.Tests.Fixtures;
using static TorchSharp.torch;

namespace EngineImage.Tests.Model;

[Collection(ModelsCollection.Name)]
public sealed class CachedDecodingTests(ModelsFixture models)
{
    private static int[] Sequence(int length, int seed, int vocab) =>
        Enumerable.Range(0, length).Select(i => (i * 7919 + seed * 104729) % (vocab - 300) + 3).ToArray();

    [Theory]
    [InlineData("llama-3")]
    [InlineData("gemma")]
    public void Decode_AfterPrefillInOneSlot_MatchesFullRecompute(string family)
    {
        using var model = models.Load(family);
        var tokens = Sequence(14, 1, model.Config.VocabSize);
        using var full = model.PrefillLogits(0, tokens, lastOnly: false);
        const int prompt = 5;
        using var prefilled = model.PrefillLogits(2, tokens.AsSpan(0, prompt), lastOnly: true);
        TensorAssert.Close(prefilled, full[prompt - 1].unsqueeze(0), 1e-4);
        for (var p = prompt; p < tokens.Length; p++)
        {
            using var step = model.DecodeLogits([2], [tokens[p]], [p]);
            TensorAssert.Close(step, full[p].unsqueeze(0), 1e-4);
        }
    }

    [Theory]
    [InlineData("llama-3", false)]
    [InlineData("gemma", false)]
    [InlineData("llama-3", true)]
    public void BatchedDecode_RowsAtDifferentPositions_EachMatchesItsOwnRecompute(string family, bool bf16)
    {
        using var model = models.Load(family, bf16: bf16);
        var a = Sequence(12, 2, model.Config.VocabSize);
        var b = Sequence(7, 3, model.Config.VocabSize);
        using var fullA = model.PrefillLogits(1, a, lastOnly: false);
        using var fullB = model.PrefillLogits(0, b, lastOnly: false);
        model.PrefillLogits(1, a.AsSpan(0, 8), lastOnly: true).Dispose();
        model.PrefillLogits(0, b.AsSpan(0, 3), lastOnly: true).Dispose();
        // Rows decode slots 1 and 0 together, four steps, at positions 8.. and 3.. — different lengths, one call.
        for (var step = 0; step < 4; step++)
        {
            using var logits = model.DecodeLogits([1, 0], [a[8 + step], b[3 + step]], [8 + step, 3 + step]);
            // f32 is held to 1e-4; bf16 rounds differently when the batch shape changes, so only to 5e-2.
            var tolerance = bf16 ? 5e-2 : 1e-4;
            TensorAssert.Close(logits[0].unsqueeze(0), fullA[8 + step].unsqueeze(0), tolerance);
            TensorAssert.Close(logits[1].unsqueeze(0), fullB[3 + step].unsqueeze(0), tolerance);
        }
    }

    [Fact]
    public void Prefill_AnotherSlot_LeavesThisSlotsCacheIntact()
    {
        using var model = models.Load("llama-3");
        var a = Sequence(6, 4, model.Config.VocabSize);
        using var full = model.PrefillLogits(0, [.. a, 42], lastOnly: false);
        model.PrefillLogits(0, a, lastOnly: true).Dispose();
        model.PrefillLogits(1, Sequence(20, 5, model.Config.VocabSize), lastOnly: true).Dispose();
        using var step = model.DecodeLogits([0], [42], [a.Length]);
        TensorAssert.Close(step, full[a.Length].unsqueeze(0), 1e-4);
    }

    [Fact]
    public void Decode_PastTheCache_Throws()
    {
        using var model = models.Load("llama-3");
        Assert.Throws<ArgumentOutOfRangeException>(() => model.DecodeLogits([0], [5], [model.MaxCacheLength]));
        Assert.Throws<ArgumentException>(() => model.PrefillLogits(0, new int[model.MaxCacheLength + 1], lastOnly: true));
    }
}
