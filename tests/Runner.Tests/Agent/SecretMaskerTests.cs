using System.Collections.Concurrent;
using System.Text;
using System.Text.Json.Nodes;
using Contracts.Protocol;
using Runner.Agent;

namespace Runner.Tests.Agent;

public sealed class SecretMaskerTests
{
    private const string Secret = "s3cret+Value/With?Odd&Chars\"=";

    private static SecretMasker Masker(params string[] secrets)
    {
        var masker = new SecretMasker();
        foreach (var secret in secrets) masker.Add(secret);
        return masker;
    }

    [Fact]
    public void Apply_TheValue_Masked()
    {
        Assert.Equal($"token={SecretMasker.Mask} end", Masker(Secret).Apply($"token={Secret} end"));
    }

    [Fact]
    public void Apply_EachLineOfAMultiLineValue_MaskedAlone()
    {
        var masker = Masker("-----BEGIN KEY-----\r\nAAAAbbbbCCCC\n-----END KEY-----");

        Assert.Equal($"got {SecretMasker.Mask} here", masker.Apply("got AAAAbbbbCCCC here"));
        Assert.Equal(SecretMasker.Mask, masker.Apply("-----END KEY-----"));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    public void Apply_Base64OfTextHoldingTheValueAtEachAlignment_LeavesNoDecodableValue(int prefixBytes)
    {
        var masker = Masker(Secret);
        var text = new string('x', prefixBytes) + "user:" + Secret + ":tail";
        foreach (var encoded in new[] { Convert.ToBase64String(Encoding.UTF8.GetBytes(text)), Convert.ToBase64String(Encoding.UTF8.GetBytes(text)).Replace('+', '-').Replace('/', '_') })
        {
            var masked = masker.Apply($"Authorization: Basic {encoded}");

            Assert.Contains(SecretMasker.Mask, masked, StringComparison.Ordinal);
            // What is left around the mask decodes to at most two bytes of the value at either end.
            Assert.DoesNotContain(encoded, masked, StringComparison.Ordinal);
            Assert.True(masked.Length < $"Authorization: Basic {encoded}".Length - (Secret.Length * 4 / 3) + 12, masked);
        }
    }

    [Fact]
    public void Apply_TheValueEncodedAlone_MaskedWhole()
    {
        var encoded = Convert.ToBase64String(Encoding.UTF8.GetBytes(Secret));

        Assert.Equal($"b64={SecretMasker.Mask}", Masker(Secret).Apply($"b64={encoded}"));
    }

    [Fact]
    public void Apply_UrlAndJsonEscapedForms_Masked()
    {
        var masker = Masker(Secret);

        Assert.Equal($"?t={SecretMasker.Mask}", masker.Apply("?t=" + Uri.EscapeDataString(Secret)));
        Assert.Equal($"?t={SecretMasker.Mask}", masker.Apply("?t=" + System.Net.WebUtility.UrlEncode(Secret)));
        Assert.Equal($$"""{"t":{{SecretMasker.Mask}}}""", masker.Apply(new JsonObject { ["t"] = Secret }.ToJsonString()).Replace("\"***\"", SecretMasker.Mask, StringComparison.Ordinal));
        Assert.DoesNotContain("Value", masker.Apply(System.Text.Json.JsonSerializer.Serialize(Secret)), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(3)]
    [InlineData(10)]
    [InlineData(27)]
    public void MaskAcross_ValueCutBetweenTwoLines_NeitherLineKeepsItsPart(int cut)
    {
        var masker = Masker(Secret);

        var (first, second) = masker.MaskAcross("before " + Secret[..cut], Secret[cut..] + " after");

        Assert.Equal($"before {SecretMasker.Mask}", first);
        Assert.Equal($"{SecretMasker.Mask} after", second);
    }

    [Fact]
    public void MaskAcross_NothingCrossing_LinesUnchanged()
    {
        var masker = Masker(Secret);

        Assert.Equal(("s3cret", "plain"), masker.MaskAcross("s3cret", "plain"));
    }

    [Fact]
    public void Apply_Outputs_EveryStringMasked()
    {
        var outputs = new JsonObject { ["a"] = "x " + Secret, ["nested"] = new JsonObject { ["list"] = new JsonArray("ok", Secret) }, ["n"] = 3 };

        var masked = Masker(Secret).Apply(outputs)!;

        Assert.DoesNotContain(Secret, masked.ToJsonString(), StringComparison.Ordinal);
        Assert.Equal("ok", (string?)masked["nested"]!["list"]![0]);
        Assert.Equal(3, (int?)masked["n"]);
    }

    [Fact]
    public void Add_ShortValue_Ignored()
    {
        Assert.Equal("abc", Masker("abc").Apply("abc"));
    }

    [Fact]
    public async Task LogBatcher_ValueWrittenAcrossTwoWrites_ShippedMaskedInBoth()
    {
        var shipped = new ConcurrentQueue<LogLine>();
        var batcher = new LogBatcher((lines, _) => { foreach (var l in lines) shipped.Enqueue(l); return Task.CompletedTask; },
            Masker(Secret), TimeProvider.System, interval: TimeSpan.FromMilliseconds(50));

        batcher.Write("token is " + Secret[..12]);
        batcher.Write(Secret[12..] + " (done)");
        batcher.Write("last line");
        await batcher.FlushAsync(TimeSpan.FromSeconds(10));

        Assert.Equal([$"token is {SecretMasker.Mask}", $"{SecretMasker.Mask} (done)", "last line"], shipped.Select(l => l.Text));
        Assert.Equal([1L, 2L, 3L], shipped.Select(l => l.Sequence));
    }

    [Fact]
    public async Task LogBatcher_HeldLastLine_ShippedWithinTheIntervalWithoutAFlush()
    {
        var shipped = new ConcurrentQueue<LogLine>();
        await using var batcher = new LogBatcher((lines, _) => { foreach (var l in lines) shipped.Enqueue(l); return Task.CompletedTask; },
            Masker(Secret), TimeProvider.System, interval: TimeSpan.FromMilliseconds(100));

        batcher.Write("only line " + Secret);

        await Eventually.TrueAsync(() => shipped.Count == 1, "the held line to be shipped", TimeSpan.FromSeconds(20));
        Assert.Equal($"only line {SecretMasker.Mask}", Assert.Single(shipped).Text);
    }

    [Fact]
    public async Task LogBatcher_LongLineWithTheValueAtTheCut_MaskedBeforeItIsCut()
    {
        var shipped = new ConcurrentQueue<LogLine>();
        var batcher = new LogBatcher((lines, _) => { foreach (var l in lines) shipped.Enqueue(l); return Task.CompletedTask; },
            Masker(Secret), TimeProvider.System);

        batcher.Write(new string('a', 8192 - 10) + Secret + "tail");
        await batcher.FlushAsync(TimeSpan.FromSeconds(10));

        var text = Assert.Single(shipped).Text;
        Assert.DoesNotContain(Secret[..10], text, StringComparison.Ordinal);
        Assert.EndsWith(SecretMasker.Mask + "tail", text, StringComparison.Ordinal);
    }
}
