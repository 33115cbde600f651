using EngineImage.Serving;
using EngineImage.Tokenization;

namespace EngineImage.Tests.Serving;

/// <summary>Token-by-token text with the real tokenizers never splits a character and adds up to the whole.</summary>
[Collection(ServingCollection.Name)]
public sealed class IncrementalDetokenizerTests(TinyModelFixture model)
{
    public static TheoryData<string, string> Texts => new()
    {
        { "llama-3", "Hello, world! Grüße aus Köln — 日本語のテキスト 🙂👍🏽 ½ naïve café" },
        { "llama-3", "  leading spaces, tabs\tand\nnew lines  " },
        { "gemma", "Hello, world! Grüße aus Köln — 日本語のテキスト 🙂👍🏽 ½ naïve café" },
        { "gemma", "  leading spaces, tabs\tand\nnew lines  " },
    };

    [Theory]
    [MemberData(nameof(Texts))]
    public void Push_TokenByToken_PiecesAreWholeCharactersAndConcatenateToTheText(string family, string text)
    {
        var tokenizer = Tokenizer(family);
        var ids = tokenizer.Encode(text, addBos: false);
        var detokenizer = new IncrementalDetokenizer(tokenizer);

        var pieces = ids.Select(detokenizer.Push).ToList();
        pieces.Add(detokenizer.Flush());

        Assert.All(pieces, p => Assert.DoesNotContain('\uFFFD', p));
        Assert.Equal(tokenizer.Decode(ids), string.Concat(pieces));
        Assert.True(pieces.Count(p => p.Length > 0) > 5, "the text came out in one piece: nothing was streamed");
    }

    [Fact]
    public void Flush_WithTextHeldBack_ReturnsIt()
    {
        var tokenizer = Tokenizer("llama-3");
        var ids = tokenizer.Encode("🙂", addBos: false);
        Assert.True(ids.Count > 1, "the emoji should take several byte tokens");
        var detokenizer = new IncrementalDetokenizer(tokenizer);

        Assert.Equal("", detokenizer.Push(ids[0]));
        Assert.Equal("\uFFFD", detokenizer.Flush());
    }

    private ITextTokenizer Tokenizer(string family) => family == "gemma"
        ? TokenizerLoader.Load("gemma", model.GemmaTokenizerPath)
        : TokenizerLoader.Load("llama-3", model.Model.TokenizerPath);
}
