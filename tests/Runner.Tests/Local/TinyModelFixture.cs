using Runner.Processes;

namespace Runner.Tests.Local;

/// <summary>A tiny llama-3 checkpoint in Hugging Face layout, made once per test class by the real engine.</summary>
public sealed class TinyModelFixture : IAsyncLifetime
{
    private readonly TempDir _dir = new();

    public string ModelDir => _dir.Sub("hf");

    public async Task InitializeAsync()
    {
        var output = new List<string>();
        var exit = await ChildProcess.RunAsync(
            new ProcessCommand(EngineBuild.Dll, ["make-test-model", "--family", "llama-3", "--size", "tiny", "--out", ModelDir]),
            line => { lock (output) { output.Add(line); } }, StopGraces.Default, CancellationToken.None);
        if (exit != 0)
        {
            throw new InvalidOperationException($"make-test-model failed ({exit}): {string.Join('\n', output)}");
        }
    }

    public Task DisposeAsync()
    {
        _dir.Dispose();
        return Task.CompletedTask;
    }
}
