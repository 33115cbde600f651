using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using CloudTargets.Kubernetes;
using CloudTargets.Tests.Fakes;
using Contracts;
using Contracts.Protocol;
using Contracts.Specs;
using Microsoft.Extensions.DependencyInjection;
using Runner.Agent;
using Runner.Gke;
using Runner.HuggingFace;
using Runner.Kubernetes;

namespace CloudTargets.Tests.Infrastructure;

/// <summary>The real gke and kubernetes providers, wired as the runner wires them, against the fakes: Google's OAuth
/// token endpoint, GKE, IAM, Resource Manager and Cloud Storage in one fake, the cluster's API server in another (HTTPS,
/// its own CA, reached through the endpoint and CA the fake GKE reports). Short poll intervals and backoffs.</summary>
internal sealed class CloudHarness : IAsyncDisposable
{
    public const string HuggingFaceToken = "hf_FAKEtokenValue0123456789";
    private readonly ServiceProvider _services;
    private readonly string _dir;

    private CloudHarness(FakeGoogleCloud google, FakeKubernetes kube, string dir, string? credentialFile, Uri? hubEndpoint, int uploadChunkBytes)
    {
        Google = google;
        Kube = kube;
        _dir = dir;
        TokenFile = Path.Combine(dir, "hf-token");
        File.WriteAllText(TokenFile, HuggingFaceToken + "\n");
        var credentials = Path.Combine(dir, "service-account.json");
        File.WriteAllText(credentials, ServiceAccountKey(new Uri(google.Address, "token")));
        var services = new ServiceCollection();
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton<SecretMasker>();
        services.AddCloudTargets(
            new GcpOptions
            {
                Endpoints = google.Endpoints,
                CredentialFile = credentialFile ?? credentials,
                RetryBase = TimeSpan.FromMilliseconds(5),
                RetryMax = TimeSpan.FromMilliseconds(50),
                PollInterval = TimeSpan.FromMilliseconds(10),
                UploadChunkBytes = uploadChunkBytes,
            },
            new KubeOptions { PollInterval = TimeSpan.FromMilliseconds(10), UnschedulableGrace = TimeSpan.FromSeconds(5) });
        services.AddSingleton<IStepProgress>(Progress);
        // The runner's own conversion runs the real engine converter.
        var runner = new RunnerOptions { EnginePath = RepoPaths.EngineDll, WorkDir = Path.Combine(dir, "runner") };
        if (hubEndpoint is not null) runner.HuggingFaceEndpoint = hubEndpoint;
        services.AddSingleton(runner);
        services.AddHubDownloads(runner);
        _services = services.BuildServiceProvider();
    }

    public FakeGoogleCloud Google { get; }
    public FakeKubernetes Kube { get; }
    public RecordingProgress Progress { get; } = new();
    public string TokenFile { get; }
    public string Directory => _dir;
    public SecretMasker Masker => _services.GetRequiredService<SecretMasker>();

    /// <param name="credentialFile">The key file the runner is configured with (default: a valid one for the fake).</param>
    /// <param name="hubEndpoint">The Hugging Face Hub the runner downloads from (a fake's).</param>
    /// <param name="uploadChunkBytes">The runner's resumable upload chunk (small, so that the tests' files take several).</param>
    public static async Task<CloudHarness> StartAsync(string? credentialFile = null, Uri? hubEndpoint = null, int uploadChunkBytes = 256 << 10)
    {
        var google = await FakeGoogleCloud.StartAsync();
        var kube = await FakeKubernetes.StartAsync(FakeGoogleCloud.AccessToken);
        google.KubernetesApi = (kube.Endpoint, TestCertificate.PemBase64(kube.Certificate));
        var dir = System.IO.Directory.CreateTempSubdirectory("cloudtargets-").FullName;
        // The converter uploads the checkpoint: the fake Job's success puts its objects into the fake bucket.
        kube.OnJobSucceeded = job =>
        {
            var output = ((JsonArray)job["spec"]!["template"]!["spec"]!["containers"]![0]!["args"]!)
                .Select(a => (string)a!).Single(a => a.StartsWith("-o=gs://", StringComparison.Ordinal))["-o=gs://".Length..];
            var bucket = output[..output.IndexOf('/', StringComparison.Ordinal)];
            var prefix = output[(bucket.Length + 1)..];
            google.PutObject(bucket, prefix + "model.safetensors", 14_000_000_000);
            google.PutObject(bucket, prefix + "tokenizer.model", 4_241_003);
        };
        return new CloudHarness(google, kube, dir, credentialFile, hubEndpoint, uploadChunkBytes);
    }

    public T Get<T>() where T : notnull => _services.GetRequiredService<T>();

    public static StepClaim Claim(RolloutSpec spec, string kind, string revision = "r1", JsonObject? parameters = null,
        JsonObject? environment = null, JsonObject? previousOutputs = null, Guid? stepId = null) => new()
    {
        StepId = stepId ?? Guid.NewGuid(),
        RunId = Guid.NewGuid(),
        Environment = spec.Environment,
        Revision = revision,
        Name = kind,
        Kind = kind,
        Attempt = previousOutputs is null ? 1 : 2,
        LeaseToken = Guid.NewGuid(),
        LeaseExpiresAt = DateTimeOffset.UtcNow.AddHours(1),
        TimeoutSeconds = 600,
        Spec = JsonSerializer.SerializeToNode(spec, ContractJson.Options)!.AsObject(),
        Parameters = parameters ?? [],
        Inputs = new JsonObject { ["environment"] = environment ?? [] },
        PreviousOutputs = previousOutputs ?? [],
    };

    public async Task<(StepResult Result, RecordingLog Log)> RunAsync(StepClaim claim, CancellationToken cancellationToken = default)
    {
        var log = new RecordingLog();
        using var work = new CancellationTokenSource();
        using var stop = new WorkStop(work);
        return (await RunAsync(claim, log, stop, cancellationToken), log);
    }

    /// <summary>Runs a step whose log and stop the test holds (to watch it, or to ask a background step to finish).</summary>
    public async Task<StepResult> RunAsync(StepClaim claim, RecordingLog log, WorkStop stop, CancellationToken cancellationToken = default)
    {
        IStepExecutor provider = (string?)claim.Spec["target"]?["kind"] == TargetKinds.Gke ? Get<GkeProvider>() : Get<KubernetesProvider>();
        var context = new StepContext(claim, log, stop);
        try
        {
            return await provider.ExecuteAsync(context, cancellationToken);
        }
        finally
        {
            LastProgress[claim.Kind] = context.Progress.Latest;
        }
    }

    /// <summary>The last progress each kind of step reported when it last ran here.</summary>
    public System.Collections.Concurrent.ConcurrentDictionary<string, Contracts.Protocol.StepProgress?> LastProgress { get; } = new();

    public Task<(StepResult Result, RecordingLog Log)> RunAsync(RolloutSpec spec, string kind, string revision = "r1",
        JsonObject? parameters = null, JsonObject? environment = null) =>
        RunAsync(Claim(spec, kind, revision, parameters, environment));

    /// <summary>Runs a step that must succeed, with <paramref name="state"/> as the environment's state; the state it
    /// reports replaces <paramref name="state"/> whole, as the orchestrator records it.</summary>
    public async Task StepAsync(RolloutSpec spec, string kind, string revision, JsonObject? parameters, JsonObject state)
    {
        var (result, log) = await RunAsync(spec, kind, revision, parameters, state.DeepClone().AsObject());
        Assert.True(result.Outcome == StepStatuses.Succeeded, $"{kind} {revision}: {result.Error}\n{log.Text}");
        if (result.Outputs?["environment"] is not JsonObject reported) return;
        state.Clear();
        foreach (var (key, value) in reported)
        {
            state[key] = value?.DeepClone();
        }
    }

    /// <summary>A kubeconfig for the fake API server (for the <c>kubernetes</c> target).</summary>
    public string WriteKubeconfig()
    {
        var path = Path.Combine(_dir, "kubeconfig");
        File.WriteAllText(path, $"""
            apiVersion: v1
            kind: Config
            clusters:
            - name: fake
              cluster:
                server: https://{Kube.Endpoint}
                certificate-authority-data: {TestCertificate.PemBase64(Kube.Certificate)}
            users:
            - name: fake
              user:
                token: {FakeGoogleCloud.AccessToken}
            contexts:
            - name: fake
              context: {"{"}cluster: fake, user: fake{"}"}
            current-context: fake
            """);
        return path;
    }

    public async ValueTask DisposeAsync()
    {
        await _services.DisposeAsync();
        await Google.DisposeAsync();
        await Kube.DisposeAsync();
        System.IO.Directory.Delete(_dir, recursive: true);
    }

    private static string ServiceAccountKey(Uri tokenUri)
    {
        using var rsa = RSA.Create(2048);
        return new JsonObject
        {
            ["type"] = "service_account",
            ["project_id"] = Specs.Project,
            ["private_key_id"] = "0123456789abcdef",
            ["private_key"] = rsa.ExportPkcs8PrivateKeyPem(),
            ["client_email"] = $"runner@{Specs.Project}.iam.gserviceaccount.com",
            ["client_id"] = "123456789012345678901",
            ["token_uri"] = tokenUri.ToString(),
        }.ToJsonString();
    }
}
