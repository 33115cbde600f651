using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;

namespace EngineImage.Tests.Serving;

/// <summary><c>engine serve</c> as a real process: flag errors, refusing a bad checkpoint before binding, the
/// JetStream log lines, and a clean exit on SIGTERM.</summary>
[Collection(ServingCollection.Name)]
public sealed class ServeProcessTests(TinyModelFixture model)
{
    private static readonly TimeSpan ExitTimeout = TimeSpan.FromSeconds(90);

    [Theory]
    [InlineData("--batch_size=many")]
    [InlineData("--quantize_weights=maybe")]
    [InlineData("--no_such_flag=1")]
    [InlineData("--model_name=gpt-2")]
    public async Task Serve_BadFlag_ExitsTwoWithOneLine(string flag)
    {
        using var engine = EngineProcess.Start([.. ServeArgs(model.Model.CheckpointPath, EngineProcess.FreePort()), flag]);
        Assert.Equal(2, await engine.WaitForExitAsync(ExitTimeout));
        Assert.Single(Lines(engine.Stderr));
    }

    [Fact]
    public async Task Serve_MissingCheckpoint_ExitsNonZeroWithOneLineBeforeBinding()
    {
        await AssertRefusedBeforeBindingAsync(Path.Combine(model.Model.Directory, "no-such-model.safetensors"), "checkpoint");
    }

    [Fact]
    public async Task Serve_CorruptCheckpoint_ExitsNonZeroWithOneLineBeforeBinding()
    {
        using var copy = model.CopyModel();
        await File.WriteAllBytesAsync(copy.CheckpointPath, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
        await AssertRefusedBeforeBindingAsync(copy.CheckpointPath, null);
    }

    [Fact]
    public async Task Serve_ChecksumMismatch_ExitsNonZeroWithOneLineBeforeBinding()
    {
        using var copy = model.CopyModel();
        await using (var file = new FileStream(copy.CheckpointPath, FileMode.Open, FileAccess.ReadWrite))
        {
            // One byte of tensor data (the header stays valid): only the manifest's checksum can tell.
            file.Seek(-3, SeekOrigin.End);
            var b = file.ReadByte();
            file.Seek(-1, SeekOrigin.Current);
            file.WriteByte((byte)(b ^ 0x5A));
        }
        await AssertRefusedBeforeBindingAsync(copy.CheckpointPath, null);
    }

    [Fact]
    public async Task Serve_CheckpointOfAnotherSize_FailsTheBackgroundLoadAndExitsOne()
    {
        var args = ServeArgs(model.Model.CheckpointPath, EngineProcess.FreePort()).Select(a => a == "--size=tiny" ? "--size=8b" : a);
        using var engine = EngineProcess.Start([.. args]);

        Assert.Equal(1, await engine.WaitForExitAsync(ExitTimeout));
        Assert.Contains("Started jetstream_server....", engine.Stdout, StringComparison.Ordinal);
        Assert.Contains("Loading the model failed", engine.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("---------Generate params 0 loaded.---------", engine.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Serve_Sigterm_LogsJetStreamLinesServesThenExitsZero()
    {
        var port = EngineProcess.FreePort();
        using var engine = EngineProcess.Start([.. ServeArgs(model.Model.CheckpointPath, port), "--bf16_enable=False"]);
        using var client = await WaitLiveAsync(engine, port);

        engine.Terminate();
        Assert.Equal(0, await engine.WaitForExitAsync(ExitTimeout));
        Assert.True(engine.Stdout.IndexOf("Started jetstream_server....", StringComparison.Ordinal)
                    < engine.Stdout.IndexOf("---------Generate params 0 loaded.---------", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Serve_SigtermDuringAStream_EndsTheStreamAndExitsZero()
    {
        var port = EngineProcess.FreePort();
        using var engine = EngineProcess.Start(
            [.. ServeArgs(model.Model.CheckpointPath, port, cache: 4096), "--bf16_enable=False", "--shutdown_grace_seconds=1"]);
        using var client = await WaitLiveAsync(engine, port);
        using var request = new HttpRequestMessage(HttpMethod.Post, "/generate")
        {
            Content = JsonContent.Create(new { prompt = "An endless story", max_tokens = 4000, stream = true }),
        };
        using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
        Assert.NotNull(await reader.ReadLineAsync());

        engine.Terminate();
        string? last = null;
        while (await reader.ReadLineAsync() is { } line) last = line;
        Assert.Contains("stopped", last, StringComparison.Ordinal);
        Assert.Equal(0, await engine.WaitForExitAsync(ExitTimeout));
    }

    private static async Task<HttpClient> WaitLiveAsync(EngineProcess engine, int port)
    {
        await engine.WaitForOutputAsync("Started jetstream_server....", ExitTimeout);
        await engine.WaitForOutputAsync("---------Generate params 0 loaded.---------", ExitTimeout);
        var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(90) };
        var deadline = DateTime.UtcNow + ExitTimeout;
        while (true)
        {
            using var health = await client.GetAsync("/healthcheck");
            if (health.StatusCode == HttpStatusCode.OK) return client;
            Assert.True(DateTime.UtcNow < deadline, "never became live");
            await Task.Delay(50);
        }
    }

    /// <summary>Holds the port while the engine runs: had it tried to bind, it would have failed for that reason
    /// instead, so a checkpoint message proves the check came first.</summary>
    private async Task AssertRefusedBeforeBindingAsync(string checkpointPath, string? expectedWord)
    {
        var holder = new TcpListener(IPAddress.Loopback, 0);
        holder.Start();
        try
        {
            var port = ((IPEndPoint)holder.LocalEndpoint).Port;
            using var engine = EngineProcess.Start(ServeArgs(checkpointPath, port));
            var exit = await engine.WaitForExitAsync(ExitTimeout);
            Assert.NotEqual(0, exit);
            var line = Assert.Single(Lines(engine.Stderr));
            Assert.DoesNotContain("listen", line, StringComparison.OrdinalIgnoreCase);
            if (expectedWord is not null) Assert.Contains(expectedWord, line, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain("Started jetstream_server", engine.Stdout, StringComparison.Ordinal);
        }
        finally
        {
            holder.Stop();
        }
    }

    private string[] ServeArgs(string checkpointPath, int port, int cache = 128) =>
    [
        "serve", "--model_name=llama-3", "--size=tiny", "--batch_size=2", $"--max_cache_length={cache}",
        "--quantize_weights=False", "--quantize_kv_cache=False",
        $"--tokenizer_path={model.Model.TokenizerPath}", $"--checkpoint_path={checkpointPath}",
        "--host=127.0.0.1", $"--port={port}",
    ];

    private static string[] Lines(string text) => text.Split('\n', StringSplitOptions.RemoveEmptyEntries);
}
