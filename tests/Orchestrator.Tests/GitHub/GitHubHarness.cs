using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Contracts;
using Orchestrator.GitHub;
using Orchestrator.Runs;
using Orchestrator.Tests.Infrastructure;

namespace Orchestrator.Tests.GitHub;

/// <summary>The real service wired to a <see cref="FakeGitHub"/> as a GitHub App, with a webhook secret from a file,
/// short polls and backoffs, and a prod and a staging environment on the local target.</summary>
public sealed class GitHubHarness : IAsyncDisposable
{
    public const string Secret = "It's a Secret to Everybody";
    public const string PublicUrl = "https://orchestrator.example.com/";
    public const string SpecPath = ".orchestrator/rollout.yaml";
    public const string SpecYaml = """
        model:
          family: llama-3
          size: tiny
          source: hf://codertocat/hello-model@{tag}
        engine:
          replicas: 1
          batchSize: 4
        """;

    private readonly string _dir;

    private GitHubHarness(Harness harness, FakeGitHub github, string dir)
    {
        Inner = harness;
        GitHub = github;
        _dir = dir;
    }

    public Harness Inner { get; }
    public FakeGitHub GitHub { get; }
    public UserClient User => Inner.User;
    public TestDatabase Database => Inner.Database;

    public const string PersonalToken = "github_pat_11ABCDEFG0123456789";

    /// <param name="secret">false: the service starts with no webhook secret.</param>
    public static Task<GitHubHarness> StartAsync(bool secret = true, params string[] extraArgs) => StartAsync(secret, asApp: true, extraArgs);

    /// <param name="asApp">false: a personal access token instead of the GitHub App.</param>
    public static async Task<GitHubHarness> StartAsync(bool secret, bool asApp, params string[] extraArgs)
    {
        var github = await FakeGitHub.StartAsync();
        var dir = Directory.CreateTempSubdirectory("github-test-").FullName;
        var keyFile = Path.Combine(dir, "app.pem");
        await File.WriteAllTextAsync(keyFile, github.AppPrivateKeyPem);
        var tokenFile = Path.Combine(dir, "token");
        await File.WriteAllTextAsync(tokenFile, PersonalToken);
        github.AddPersonalToken(PersonalToken);
        var secretFile = Path.Combine(dir, "webhook-secret");
        await File.WriteAllTextAsync(secretFile, Secret + "\n");
        string[] credentials = asApp
            ? ["--GitHub:AppId", FakeGitHub.AppId.ToString(System.Globalization.CultureInfo.InvariantCulture), "--GitHub:AppPrivateKeyFile", keyFile, "--GitHub:InstallationId", "77"]
            : ["--GitHub:TokenFile", tokenFile];
        string[] args =
        [
            "--GitHub:BaseUrl", github.BaseAddress.ToString(),
            .. credentials,
            "--GitHub:PublicUrl", PublicUrl,
            "--GitHub:PollIntervalMilliseconds", "50",
            "--GitHub:InitialBackoffSeconds", "0.2",
            "--GitHub:MaxBackoffSeconds", "0.5",
            "--GitHub:RequestTimeoutSeconds", "1",
            .. secret ? new[] { "--GitHub:WebhookSecretFile", secretFile } : [],
            .. extraArgs,
        ];
        var harness = await Harness.StartAsync(args);
        await harness.User.CreateEnvironmentAsync("prod");
        await harness.User.CreateEnvironmentAsync("staging");
        return new GitHubHarness(harness, github, dir);
    }

    /// <summary>Binds <paramref name="repository"/> and puts the spec at <paramref name="tags"/> in the fake.</summary>
    public async Task<BindingDto> BindAsync(string repository, string onRemoved = "nothing", string[]? actions = null, params string[] tags)
    {
        foreach (var tag in tags.Length == 0 ? ["0.0.1"] : tags) GitHub.AddFile(repository, SpecPath, tag, SpecYaml);
        var request = new JsonObject
        {
            ["repository"] = repository, ["prodEnvironment"] = "prod", ["stagingEnvironment"] = "staging", ["onRemoved"] = onRemoved,
        };
        if (actions is not null) request["actions"] = new JsonArray([.. actions.Select(a => JsonValue.Create(a))]);
        using var response = await User.Http.PostAsJsonAsync("/api/webhooks/bindings", request);
        Assert.True(response.StatusCode == HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
        return (await response.Content.ReadFromJsonAsync<BindingDto>(ContractJson.Options))!;
    }

    /// <summary>POSTs a delivery the way GitHub does; <paramref name="signature"/> null signs it with <see cref="Secret"/>.</summary>
    public async Task<HttpResponseMessage> DeliverAsync(byte[] body, string @event, string? deliveryId = null, string? signature = null, bool sign = true)
    {
        using var client = new HttpClient { BaseAddress = Inner.Server.BaseAddress };
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/webhooks/github") { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
        request.Headers.Add("X-GitHub-Event", @event);
        request.Headers.Add("X-GitHub-Delivery", deliveryId ?? Guid.NewGuid().ToString());
        request.Headers.Add("User-Agent", "GitHub-Hookshot/044aadd");
        if (sign) request.Headers.Add(WebhookSignature.Header, signature ?? WebhookSignature.Sign(body, Secret));
        return await client.SendAsync(request);
    }

    /// <summary>Waits until the delivery has an outcome; returns it.</summary>
    public async Task<DeliveryDto> ProcessedAsync(string deliveryId, int timeoutSeconds = 20)
    {
        var deadline = DateTime.UtcNow.AddSeconds(timeoutSeconds);
        DeliveryDto? delivery = null;
        while (DateTime.UtcNow < deadline)
        {
            var all = await User.Http.GetFromJsonAsync<List<DeliveryDto>>("/api/webhooks/deliveries", ContractJson.Options);
            delivery = all!.SingleOrDefault(d => d.DeliveryId == deliveryId);
            if (delivery?.Outcome is not null) return delivery;
            await Task.Delay(50);
        }
        throw new Xunit.Sdk.XunitException($"Delivery {deliveryId} was not processed within {timeoutSeconds} s: {System.Text.Json.JsonSerializer.Serialize(delivery)}");
    }

    /// <summary>Delivers a release and waits for the run it starts.</summary>
    public async Task<RunDto> StartReleaseAsync(byte[] body, string deliveryId)
    {
        using (var response = await DeliverAsync(body, "release", deliveryId)) Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var delivery = await ProcessedAsync(deliveryId);
        Assert.True(delivery.Outcome == "started", $"{delivery.Outcome}: {delivery.Detail}");
        return await User.GetRunAsync(delivery.RunId!.Value);
    }

    public Task<long> RunCountAsync() => Database.ScalarAsync<long>("SELECT count(*) FROM runs");

    public async ValueTask DisposeAsync()
    {
        await Inner.DisposeAsync();
        await GitHub.DisposeAsync();
        Directory.Delete(_dir, recursive: true);
    }
}
