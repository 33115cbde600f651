using System.Text.Json;
using System.Text.Json.Nodes;
using Contracts;
using Contracts.Protocol;
using Contracts.Specs;
using Runner.Agent;
using Runner.HuggingFace;
using Runner.Local;
using Runner.Processes;

namespace Runner.Tests.Local;

/// <summary>A private work dir, state dir and ports for driving local step handlers directly, and the cleanup of
/// every detached process they started.</summary>
internal sealed class LocalTargetHarness : IAsyncDisposable
{
    private readonly TempDir _dir = new();

    public LocalTargetHarness(string modelDir, int replicas = 1)
    {
        FrontPort = FreePort.Next();
        Spec = new RolloutSpec
        {
            Environment = "local",
            Model = new ModelSpec { Family = "llama-3", Size = "tiny", Source = $"file://{modelDir}" },
            Engine = new EngineSpec { BatchSize = 2, MaxCacheLength = 128, Replicas = replicas },
            Target = new TargetSpec
            {
                Kind = TargetKinds.Local,
                Local = new LocalTargetSpec { FrontPort = FrontPort, EngineBasePort = FreePort.Next(), ArtifactsDir = _dir.Sub("artifacts") },
            },
        };
        Options = new RunnerOptions
        {
            WorkDir = _dir.Sub("work"),
            StateDirOverride = _dir.Sub("state"),
            EnginePath = RepoPaths.EngineDll,
            DrainDelay = TimeSpan.FromMilliseconds(500),
            ReplicaStopGrace = TimeSpan.FromSeconds(5),
        };
    }

    public RolloutSpec Spec { get; set; }
    public RunnerOptions Options { get; }
    public int FrontPort { get; }
    public string FrontUrl => $"http://127.0.0.1:{FrontPort}";
    public string ArtifactsDir => _dir.Sub("artifacts");
    public LocalLayout Layout => new(Options.StateDir, "local");

    public HttpClient Http { get; } = new(new SocketsHttpHandler { UseProxy = false }) { Timeout = TimeSpan.FromSeconds(60) };

    /// <summary>The masker the steps' Hub downloads register their token with (the agent's, in a runner).</summary>
    public SecretMasker Masker { get; } = new();

    /// <summary>The product's Hub client, shared by every step run here as a runner shares it.</summary>
    private HttpClient HubHttp { get; } = HubClient.CreateHttpClient();

    /// <summary>The stored secrets' values the claims carry (<c>StepClaim.Secrets</c>), by reference.</summary>
    public IReadOnlyDictionary<string, string> Secrets { get; set; } = new Dictionary<string, string>();

    /// <summary>Runs one step through a fresh provider, as a new runner process would.</summary>
    public async Task<(StepResult Result, RecordingLog Log)> RunAsync(
        string kind, string revision, JsonObject? parameters = null, JsonObject? inputs = null)
    {
        var claim = new StepClaim
        {
            StepId = Guid.NewGuid(),
            RunId = Guid.NewGuid(),
            Environment = "local",
            Revision = revision,
            Name = kind,
            Kind = kind,
            Attempt = 1,
            LeaseToken = Guid.NewGuid(),
            LeaseExpiresAt = DateTimeOffset.UtcNow.AddMinutes(5),
            TimeoutSeconds = 600,
            Spec = JsonSerializer.SerializeToNode(Spec, ContractJson.Options)!.AsObject(),
            Parameters = parameters ?? [],
            Inputs = inputs ?? [],
            Secrets = Secrets,
        };
        var log = new RecordingLog();
        using var probeClient = EngineProbe.CreateClient();
        using var work = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        var provider = new LocalProvider(Options, new EngineProbe(probeClient), new HubDownload(new HubClient(HubHttp, Options.HuggingFaceEndpoint), Masker, TimeProvider.System));
        var result = await provider.ExecuteAsync(new StepContext(claim, log, new WorkStop(work)), work.Token);
        return (result, log);
    }

    public async Task<string> GenerateAsync()
    {
        using var response = await Http.PostAsync(
            $"{FrontUrl}/generate",
            new StringContent("{\"prompt\":\"hello\",\"max_tokens\":3}", System.Text.Encoding.UTF8, "application/json"));
        var body = await response.Content.ReadAsStringAsync();
        return response.IsSuccessStatusCode ? JsonNode.Parse(body)!["response"]!.GetValue<string>() : throw new HttpRequestException($"{(int)response.StatusCode}: {body}");
    }

    public async ValueTask DisposeAsync()
    {
        if (Directory.Exists(Options.StateDir))
        {
            foreach (var record in Directory.EnumerateFiles(Options.StateDir, "*.json", SearchOption.AllDirectories)
                         .Where(p => Path.GetFileName(p) is var n && (n == "front.json" || n.StartsWith("replica-", StringComparison.Ordinal)))
                         .Select(DetachedProcesses.Read).OfType<ProcessRecord>())
            {
                await DetachedProcesses.StopAsync(record, TimeSpan.FromSeconds(5), CancellationToken.None);
            }
        }

        Http.Dispose();
        HubHttp.Dispose();
        _dir.Dispose();
    }
}
