using EngineImage.Tests.Fixtures;
using EngineImage.Tokenization;

namespace EngineImage.Tests.Tokenization;

[Collection(ModelsCollection.Name)]
public sealed class TokenizerTests(ModelsFixture models)
{
    public static TheoryData<string, string> Texts()
    {
        var data = new TheoryData<string, string>();
        string[] texts = ["Hello, world!", "café crème brûlée", "中文分词测试", "emoji 😀🎉 and 👩‍👩‍👧", "  two spaces\nnew line\ttab",
            "Ünïcödé mixed: ñ ß Ω ж 日本語 한국어", "1234567 numbers 3.14159", "<not special> &amp; \"quotes\" 'apostrophe's"];
        foreach (var family in new[] { "llama-3", "gemma" })
            foreach (var text in texts)
                data.Add(family, text);
        return data;
    }

    [Theory]
    [MemberData(nameof(Texts))]
    public void Decode_OfEncode_GivesTheTextBack(string family, string text)
    {
        var tokenizer = models.Tokenizer(family);
        var ids = tokenizer.Encode(text, addBos: false);
        Assert.NotEmpty(ids);
        Assert.Equal(text, tokenizer.Decode(ids));
    }

    [Theory]
    [InlineData("llama-3")]
    [InlineData("gemma")]
    public void Encode_WithBos_StartsWithBosWhichDecodeLeavesOut(string family)
    {
        var tokenizer = models.Tokenizer(family);
        var ids = tokenizer.Encode("hi there", addBos: true);
        Assert.Equal(tokenizer.BosId, ids[0]);
        Assert.NotEqual(tokenizer.BosId, tokenizer.Encode("hi there", addBos: false)[0]);
        Assert.Equal("hi there", tokenizer.Decode(ids));
    }

    [Theory]
    [InlineData("llama-3")]
    [InlineData("gemma")]
    public void Decode_SplitMultiByteCharacter_ShowsReplacementUntilComplete(string family)
    {
        var tokenizer = models.Tokenizer(family);
        var ids = tokenizer.Encode("😀", addBos: false);
        Assert.True(ids.Count > 1, "an emoji should take several byte-level tokens in the test vocabularies");
        Assert.EndsWith("\uFFFD", tokenizer.Decode(ids.Take(ids.Count - 1).ToList()));
        Assert.Equal("😀", tokenizer.Decode(ids));
    }

    [Fact]
    public void Llama3_SpecialTokens_FollowTheRanksAsInLlama3()
    {
        var tokenizer = (Llama3Tokenizer)models.Tokenizer("llama-3");
        var first = tokenizer.BosId!.Value;
        Assert.Equal(first + 1, tokenizer.EndOfTextId);
        Assert.Equal(first + 9, tokenizer.EotId);
        Assert.True(tokenizer.IsEndOfSequence(first + 1));
        Assert.True(tokenizer.IsEndOfSequence(first + 9));
        Assert.False(tokenizer.IsEndOfSequence(first));
        Assert.Equal([first + 6, first + 7], tokenizer.Encode("<|start_header_id|><|end_header_id|>", addBos: false));
        Assert.Equal(Gpt2Ranks.All.Count + Llama3Tokenizer.SpecialTokenCount, tokenizer.VocabSize);
    }

    [Fact]
    public void Llama3_Ascii_MatchesGpt2Merges()
    {
        // " world" is a single GPT-2 token; the BPE file must merge it the same way.
        var ids = models.Tokenizer("llama-3").Encode("Hello world", addBos: false);
        Assert.Equal(2, ids.Count);
        Assert.Equal(" world"u8.ToArray(), Gpt2Ranks.All[ids[1]]);
    }

    [Fact]
    public void Gemma_SpecialIds_AreSentencePieces()
    {
        var tokenizer = (GemmaTokenizer)models.Tokenizer("gemma");
        Assert.Equal(2, tokenizer.BosId);
        Assert.Equal(1, tokenizer.EosId);
        Assert.True(tokenizer.IsEndOfSequence(1));
        var model = SentencePieceModel.Read(Path.Combine(models.HfDir("gemma"), "tokenizer.model"));
        Assert.Equal("<pad>", model.Pieces[0].Text);
        Assert.Equal("<unk>", model.Pieces[3].Text);
        Assert.Equal(SentencePieceModel.PieceType.Byte, model.Pieces.Single(p => p.Text == "<0xFF>").Type);
        Assert.Equal(tokenizer.VocabSize, model.Pieces.Count);
    }

    [Fact]
    public void Load_UnknownFamily_Throws() =>
        Assert.Throws<ArgumentException>(() => TokenizerLoader.Load("mistral", Path.Combine(models.HfDir("gemma"), "tokenizer.model")));

    [Fact]
    public void Load_NotATokenizerFile_ThrowsInvalidData()
    {
        var path = Path.Combine(models.Root, "garbage-" + Guid.NewGuid().ToString("N"));
        File.WriteAllText(path, "this is not a tokenizer\n");
        Assert.Throws<InvalidDataException>(() => TokenizerLoader.Load("llama-3", path));
    }
}
