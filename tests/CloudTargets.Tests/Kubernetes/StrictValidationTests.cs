using System.Net;
using System.Text.Json.Nodes;
using CloudTargets.Google;
using CloudTargets.Kubernetes;
using CloudTargets.Tests.Infrastructure;
using Runner.Gke;
using Runner.Kubernetes;

namespace CloudTargets.Tests.Kubernetes;

/// <summary>A typo in a request fails here, as the real APIs would fail it, instead of in a production rollout.</summary>
public sealed class StrictValidationTests : IAsyncLifetime
{
    private CloudHarness _h = null!;

    public async Task InitializeAsync() => _h = await CloudHarness.StartAsync();

    public async Task DisposeAsync() => await _h.DisposeAsync();

    [Theory]
    [InlineData("replica", ".spec.replica: field not declared in schema")]
    [InlineData("template.spec.containers.0.imagePullPolcy", ".spec.template.spec.containers[0].imagePullPolcy: field not declared in schema")]
    public async Task Apply_UnknownDeploymentField_RejectedNamingThePath(string field, string message)
    {
        var spec = Specs.Kubernetes(_h.WriteKubeconfig(), _h.TokenFile);
        var deployment = new Manifests(spec, "r1").Deployment(2);
        JsonNode node = deployment["spec"]!;
        var parts = field.Split('.');
        foreach (var part in parts[..^1])
        {
            node = int.TryParse(part, out var index) ? node[index]! : node[part]!;
        }

        node.AsObject()[parts[^1]] = "x";
        using var client = new k8s.Kubernetes(KubernetesProvider.Configuration(spec.Target.Kubernetes!));

        var error = await Assert.ThrowsAsync<k8s.Autorest.HttpOperationException>(() => KubeApply.ApplyAsync(client, deployment, CancellationToken.None));

        Assert.Equal(HttpStatusCode.BadRequest, error.Response.StatusCode);
        Assert.Contains(message, error.Response.Content, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Apply_WrongType_Rejected()
    {
        var spec = Specs.Kubernetes(_h.WriteKubeconfig(), _h.TokenFile);
        var job = new Manifests(spec, "r1").ConverterJob();
        job["spec"]!["backoffLimit"] = "zero";
        using var client = new k8s.Kubernetes(KubernetesProvider.Configuration(spec.Target.Kubernetes!));

        var error = await Assert.ThrowsAsync<k8s.Autorest.HttpOperationException>(() => KubeApply.ApplyAsync(client, job, CancellationToken.None));

        Assert.Contains(".spec.backoffLimit: expected integer", error.Response.Content, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("initialNodeCnt", 1, "Unknown name \"initialNodeCnt\" at 'cluster'")]
    [InlineData("initialNodeCount", 3, "'cluster.initial_node_count' is deprecated")]
    [InlineData("releaseChannel", "{\"channel\":\"FASTEST\"}", "Invalid value at 'cluster.release_channel.channel'")]
    [InlineData("autopilot", "{\"enabled\":\"yes\"}", "Invalid value at 'cluster.autopilot.enabled'")]
    public async Task CreateCluster_BadField_400InvalidArgumentNamingTheField(string field, object value, string message)
    {
        var spec = Specs.Gke(_h.TokenFile);
        var request = new GkeRequests(_h.Google.Endpoints, GkeTarget.From(spec)).CreateCluster();
        request.Body!["cluster"]![field] = value is string s && s.StartsWith('{') ? JsonNode.Parse(s) : JsonValue.Create(value);

        var error = await Assert.ThrowsAsync<GoogleApiException>(() => _h.Get<GoogleRestClient>().SendAsync(request, null, CancellationToken.None));

        Assert.Equal(400, error.HttpStatus);
        Assert.Equal("INVALID_ARGUMENT", error.Status);
        Assert.Contains(message, error.ApiMessage, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ServiceAccountGetIamPolicy_WithABody_Rejected()
    {
        var spec = Specs.Gke(_h.TokenFile);
        var iam = new IamRequests(_h.Google.Endpoints, GkeTarget.From(spec));
        var client = _h.Get<GoogleRestClient>();
        await client.SendAsync(iam.CreateServiceAccount(), null, CancellationToken.None);
        var withBody = iam.GetServiceAccountPolicy() with { Body = new JsonObject { ["options"] = new JsonObject { ["requestedPolicyVersion"] = 3 } } };

        var error = await Assert.ThrowsAsync<GoogleApiException>(() => client.SendAsync(withBody, null, CancellationToken.None));

        Assert.Equal(400, error.HttpStatus);
        Assert.NotNull(await client.SendAsync(iam.GetServiceAccountPolicy(), null, CancellationToken.None));
    }
}
