using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using CloudTargets.Tests.Fakes;
using CloudTargets.Tests.Infrastructure;
using Contracts;
using Contracts.Protocol;
using Contracts.Specs;
using Runner.Gke;
using Runner.Health;

namespace CloudTargets.Tests.Health;

/// <summary>The health probes of the cluster targets, as the runner's watcher calls them: r1 served as stable with two
/// replicas, its pods seen through the fake API server and their engines through its pod proxy; for <c>gke</c> the API
/// server found through the fake GKE's cluster endpoint and CA.</summary>
public sealed class ClusterHealthProbeTests : IAsyncLifetime
{
    private const string Proxy = "/api/v1/namespaces/default/pods/";
    private const string Pod0 = "jetstream-pytorch-server-r1-5d8f7c-0";
    private const string Pod1 = "jetstream-pytorch-server-r1-5d8f7c-1";
    private readonly ManualTime _time = new(new DateTimeOffset(2026, 3, 1, 12, 0, 0, TimeSpan.Zero));
    private readonly JsonObject _state = [];
    private CloudHarness _h = null!;

    public async Task InitializeAsync() => _h = await CloudHarness.StartAsync();

    public async Task DisposeAsync() => await _h.DisposeAsync();

    [Theory]
    [InlineData(TargetKinds.Kubernetes)]
    [InlineData(TargetKinds.Gke)]
    public async Task Probe_ReadyPods_ReportsEveryCheckAndTheEngineFigures_ThroughThePodProxy(string kind)
    {
        var (probe, lease) = await ServedAsync(kind);
        _h.Kube.Restarts["r1"] = 3;
        var engine = _h.Kube.Engine("r1");
        engine.TimeToFirstTokenSeconds = 0.03;
        engine.TimePerOutputTokenSeconds = 0.015;
        engine.SlotsUsed = 0.5;

        var result = await probe.ProbeAsync(lease, null, CancellationToken.None);

        var sample = result.Sample;
        Assert.Null(sample.Error);
        Assert.False(sample.Unobserved);
        Assert.Equal(lease.Environment, sample.Environment);
        Assert.Equal(lease.WatchToken, sample.WatchToken);
        Assert.Equal(_time.GetUtcNow(), sample.At);
        Assert.Equal("r1", sample.Revision);
        Assert.True(sample.HealthcheckOk);
        Assert.True(sample.GenerateOk);
        Assert.NotNull(sample.GenerateLatencyMs);
        Assert.Equal(2, sample.ReplicasTotal);
        Assert.Equal(2, sample.ReplicasReady);
        // Each pod's server container reports 3 restarts.
        Assert.Equal(6, sample.Restarts);
        // Only pod 0 answered (the probe's one-token /generate): its histograms hold that answer, pod 1's are empty.
        Assert.Equal(30, sample.TtftMs!.Value, 6);
        Assert.Equal(15, sample.TpotMs!.Value, 6);
        Assert.Equal(0, sample.QueueDepth);
        Assert.Equal(0.5, sample.SlotsUsedPercent);
        Assert.Null(sample.TokensPerSecond);
        Assert.NotNull(result.Metrics);
        Assert.Equal([1], engine.Served(Pod0));
        Assert.Empty(engine.Served(Pod1));
        var calls = _h.Kube.Calls.Select(c => $"{c.Method} {c.Path} {c.Status}").ToList();
        Assert.Contains($"GET {Proxy}{Pod0}:8000/proxy/healthcheck 200", calls);
        Assert.Contains($"POST {Proxy}{Pod0}:8000/proxy/generate 200", calls);
        Assert.Contains($"GET {Proxy}{Pod0}:9000/proxy/metrics 200", calls);
        Assert.Contains($"GET {Proxy}{Pod1}:9000/proxy/metrics 200", calls);
        var prompt = _h.Kube.Calls.Single(c => c.Path.EndsWith("/proxy/generate", StringComparison.Ordinal)).Body!;
        Assert.Equal(1, (int?)prompt["max_tokens"]);
    }

    [Theory]
    [InlineData(TargetKinds.Kubernetes)]
    [InlineData(TargetKinds.Gke)]
    public async Task Probe_AfterAPreviousSample_ReportsRatesOverTheInterval(string kind)
    {
        var (probe, lease) = await ServedAsync(kind);
        var first = await probe.ProbeAsync(lease, null, CancellationToken.None);
        await SendAsync(Pod1, 40);
        _time.Advance(TimeSpan.FromSeconds(10));

        var second = await probe.ProbeAsync(lease, first.Metrics, CancellationToken.None);

        Assert.Null(second.Sample.Error);
        // 40 tokens from the client on pod 1 and the probe's own 1 on pod 0, over 10 s.
        Assert.Equal(4.1, second.Sample.TokensPerSecond!.Value, 6);
        // The fake records every answer with its current setting: the window holds two answers at 20 ms.
        Assert.Equal(20, second.Sample.TtftMs!.Value, 6);
    }

    [Theory]
    [InlineData(TargetKinds.Kubernetes)]
    [InlineData(TargetKinds.Gke)]
    public async Task Probe_NoReadyPod_IsAnObservedSampleThatSaysSo(string kind)
    {
        var (probe, lease) = await ServedAsync(kind);
        _h.Kube.NotReady["r1"] = 2;

        var result = await probe.ProbeAsync(lease, null, CancellationToken.None);

        Assert.False(result.Sample.Unobserved);
        Assert.Equal("no ready pod of revision r1 (2 pods)", result.Sample.Error);
        Assert.Equal(0, result.Sample.ReplicasReady);
        Assert.Equal(2, result.Sample.ReplicasTotal);
        Assert.False(result.Sample.HealthcheckOk);
        Assert.False(result.Sample.GenerateOk);
        Assert.Null(result.Metrics);
        Assert.DoesNotContain(_h.Kube.Calls, c => c.Path.Contains("/proxy/", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(TargetKinds.Kubernetes)]
    [InlineData(TargetKinds.Gke)]
    public async Task Probe_ApiServerDown_IsUnobserved(string kind)
    {
        var (probe, lease) = await ServedAsync(kind);
        await _h.Kube.StopAsync();

        var result = await probe.ProbeAsync(lease, null, CancellationToken.None);

        Assert.True(result.Sample.Unobserved);
        Assert.StartsWith("the Kubernetes API: ", result.Sample.Error, StringComparison.Ordinal);
        Assert.Equal("r1", result.Sample.Revision);
        Assert.Null(result.Sample.ReplicasReady);
        Assert.Null(result.Metrics);
    }

    [Theory]
    [InlineData(403, "PERMISSION_DENIED", "Required \"container.clusters.get\" permission(s) for \"projects/demo-project/locations/us-west4/clusters/jetstream\".")]
    [InlineData(404, "NOT_FOUND", "Not found: projects/demo-project/locations/us-west4/clusters/jetstream.")]
    public async Task GkeProbe_GkeApiFails_IsUnobservedAndTheClusterIsNotCalled(int code, string status, string message)
    {
        var (probe, lease) = await ServedAsync(TargetKinds.Gke);
        var before = _h.Kube.Calls.Count;
        _h.Google.Inject("GET", "/clusters/jetstream", Reply.GoogleError(code, status, message));

        var result = await probe.ProbeAsync(lease, null, CancellationToken.None);

        Assert.True(result.Sample.Unobserved);
        Assert.StartsWith($"the GKE API, cluster {Specs.Cluster}: ", result.Sample.Error, StringComparison.Ordinal);
        Assert.Contains($"{code} {status}: {message}", result.Sample.Error, StringComparison.Ordinal);
        Assert.Equal(before, _h.Kube.Calls.Count);
    }

    [Fact]
    public async Task GkeProbe_CredentialsRefused_IsUnobserved()
    {
        var (probe, lease) = await ServedAsync(TargetKinds.Gke, credentialFile: "missing-key.json");

        var result = await probe.ProbeAsync(lease, null, CancellationToken.None);

        Assert.True(result.Sample.Unobserved);
        Assert.StartsWith("the Google credentials: cannot load the Google Cloud credentials from the service account key file ", result.Sample.Error, StringComparison.Ordinal);
        Assert.Contains("missing-key.json", result.Sample.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Probe_NoStableRevision_SaysSoWithoutCallingTheCluster()
    {
        var spec = Specs.Kubernetes(_h.WriteKubeconfig(), _h.TokenFile);
        var lease = Lease(spec, new EnvironmentState());

        var result = await new KubernetesHealthProbe(_time).ProbeAsync(lease, null, CancellationToken.None);

        Assert.Equal("no stable revision", result.Sample.Error);
        Assert.False(result.Sample.Unobserved);
        Assert.Empty(_h.Kube.Calls);
    }

    /// <summary>r1 deployed, given all traffic and promoted by the target's own steps; the probe of the kind and a lease
    /// on the environment as the orchestrator hands it out.</summary>
    private async Task<(IHealthProbe Probe, WatchLease Lease)> ServedAsync(string kind, string? credentialFile = null)
    {
        var spec = kind == TargetKinds.Gke ? Specs.Gke(_h.TokenFile) : Specs.Kubernetes(_h.WriteKubeconfig(), _h.TokenFile);
        if (kind == TargetKinds.Gke) await _h.StepAsync(spec, StepKinds.ClusterEnsure, "r1", null, _state);
        await _h.StepAsync(spec, StepKinds.EngineDeploy, "r1", null, _state);
        await _h.StepAsync(spec, StepKinds.TrafficShift, "r1", new JsonObject { ["weight"] = 100 }, _state);
        await _h.StepAsync(spec, StepKinds.RevisionPromote, "r1", null, _state);
        var state = _state.Deserialize<EnvironmentState>(ContractJson.Options)!;
        Assert.Equal("r1", state.StableRevision);
        IHealthProbe probe = kind == TargetKinds.Gke ? new GkeHealthProbe(Access(credentialFile), _time) : new KubernetesHealthProbe(_time);
        Assert.Equal(kind, probe.TargetKind);
        return (probe, Lease(spec, state));
    }

    private ClusterAccess Access(string? credentialFile)
    {
        if (credentialFile is null) return _h.Get<ClusterAccess>();
        var options = new GcpOptions { Endpoints = _h.Google.Endpoints, CredentialFile = Path.Combine(_h.Directory, credentialFile), MaxRetries = 0 };
        var credentials = new GoogleCredentials(options);
        return new ClusterAccess(new GoogleRestClient(new HttpClient(), credentials, options, TimeProvider.System), credentials, options);
    }

    private WatchLease Lease(RolloutSpec spec, EnvironmentState state) => new()
    {
        Environment = spec.Environment,
        WatchToken = Guid.NewGuid(),
        ExpiresAt = _time.GetUtcNow().AddMinutes(1),
        IntervalSeconds = 30,
        TargetKind = spec.Target.Kind,
        State = state,
        Spec = JsonSerializer.SerializeToNode(spec, ContractJson.Options)!.AsObject(),
    };

    // A client's request to one pod, through the API server's pod proxy as a relay in the cluster would send it.
    private async Task SendAsync(string pod, int tokens)
    {
        using var http = new HttpClient(new HttpClientHandler
        {
            ServerCertificateCustomValidationCallback = (_, certificate, _, _) => certificate?.Thumbprint == _h.Kube.Certificate.Thumbprint,
        });
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(_h.Kube.Address, $"{Proxy.TrimStart('/')}{pod}:8000/proxy/generate"))
        {
            Content = JsonContent.Create(new JsonObject { ["prompt"] = "hello", ["max_tokens"] = tokens }),
        };
        request.Headers.Authorization = new("Bearer", FakeGoogleCloud.AccessToken);
        using var response = await http.SendAsync(request);
        Assert.Equal(200, (int)response.StatusCode);
    }
}
