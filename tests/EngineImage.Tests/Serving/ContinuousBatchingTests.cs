using System.Globalization;
using System.Text.RegularExpressions;
using Xunit.Abstractions;

namespace EngineImage.Tests.Serving;

/// <summary>Twelve concurrent requests of different lengths through 4 slots against each request served alone.</summary>
[Collection(ServingCollection.Name)]
public sealed partial class ContinuousBatchingTests(TinyModelFixture model, ITestOutputHelper output)
{
    private static readonly (string Prompt, int MaxTokens)[] Requests =
    [
        ("Hello", 24),
        ("The quick brown fox jumps over the lazy dog", 9),
        ("Once upon a time", 31),
        ("In a hole in the ground there lived a hobbit. Not a nasty, dirty, wet hole", 16),
        ("Café, naïve, façade — déjà vu", 20),
        ("1 2 3 4 5 6 7 8", 5),
        ("Continuous batching keeps every slot busy", 28),
        ("日本語のテキスト", 12),
        ("A", 40),
        ("def main():\n    print('hi')\n", 14),
        ("Roses are red, violets are blue, sugar is sweet, and so are you", 22),
        ("Zebra", 7),
    ];

    [Fact]
    public async Task TwelveConcurrentRequests_F32FourSlots_EachGetsItsSoloGreedyTokens()
    {
        await using var server = await ServingServer.StartAsync(ServingServer.Options(model.Model, slots: 4, bf16: false));
        var (solo, batched) = await RunSoloThenConcurrentAsync(server);

        for (var i = 0; i < Requests.Length; i++)
            Assert.True(solo[i].SequenceEqual(batched[i]), $"request {i}: solo [{string.Join(',', solo[i])}] vs batched [{string.Join(',', batched[i])}]");
        Assert.True(AnyDecodeStepBatched(await server.MetricsAsync()), "no decode step ever ran more than one slot: nothing was batched");
    }

    [Fact]
    public async Task TwelveConcurrentRequests_Bf16FourSlots_ReportsAgreementWithSolo()
    {
        await using var server = await ServingServer.StartAsync(ServingServer.Options(model.Model, slots: 4, bf16: true));
        var (solo, batched) = await RunSoloThenConcurrentAsync(server);

        var identical = 0;
        for (var i = 0; i < Requests.Length; i++)
        {
            var common = solo[i].Zip(batched[i]).TakeWhile(p => p.First == p.Second).Count();
            var same = solo[i].SequenceEqual(batched[i]);
            identical += same ? 1 : 0;
            output.WriteLine(same
                ? $"bf16 request {i}: identical ({solo[i].Length} tokens)"
                : $"bf16 request {i}: first {common} of {solo[i].Length} tokens agree, then diverge");
            Assert.NotEmpty(batched[i]);
        }
        output.WriteLine($"bf16: {identical}/{Requests.Length} batched requests identical to their solo run");
    }

    private static async Task<(int[][] Solo, int[][] Batched)> RunSoloThenConcurrentAsync(ServingServer server)
    {
        var solo = new int[Requests.Length][];
        for (var i = 0; i < Requests.Length; i++)
            solo[i] = (await server.GenerateAsync(Requests[i].Prompt, Requests[i].MaxTokens)).Ids;
        var batched = await Task.WhenAll(Requests.Select(async r => (await server.GenerateAsync(r.Prompt, r.MaxTokens)).Ids));
        return (solo, batched);
    }

    /// <summary>True when some decode step ran more than one row: fewer steps fall in the le="1" bucket than in all.</summary>
    private static bool AnyDecodeStepBatched(string metrics)
    {
        var total = double.Parse(CountLine().Match(metrics).Groups[1].Value, CultureInfo.InvariantCulture);
        var singles = double.Parse(SingleBucketLine().Match(metrics).Groups[1].Value, CultureInfo.InvariantCulture);
        return total > singles;
    }

    [GeneratedRegex(@"^engine_decode_batch_size_count\{[^}]*\} (\S+)$", RegexOptions.Multiline)]
    private static partial Regex CountLine();

    [GeneratedRegex(@"^engine_decode_batch_size_bucket\{[^}]*le=""1\.0""\} (\S+)$", RegexOptions.Multiline)]
    private static partial Regex SingleBucketLine();
}
