using System.Net;
using System.Security.Cryptography;
using System.Text;
using Contracts.Specs;
using Orchestrator.GitHub;

namespace Orchestrator.Tests.GitHub;

/// <summary>POST /api/webhooks/github with the real payloads, signed here: who is let in, and what is recorded.</summary>
public sealed class WebhookReceiverTests
{
    [Fact]
    public async Task Published_SignedRelease_StartsRolloutOfTheSpecAtItsTag()
    {
        await using var h = await GitHubHarness.StartAsync();
        await h.BindAsync("Codertocat/Hello-World");
        var deliveryId = Guid.NewGuid().ToString();

        var run = await h.StartReleaseAsync(GitHubFixtures.Payload("release.published.payload.json"), deliveryId);

        Assert.Equal("prod", run.Environment);
        Assert.Equal("github-release", run.Trigger.Kind);
        Assert.Equal(new Dictionary<string, string>
        {
            ["repository"] = "codertocat/hello-world", ["releaseId"] = "17372790", ["tag"] = "0.0.1", ["deliveryId"] = deliveryId,
        }, run.Trigger.Details);
        var spec = System.Text.Json.JsonSerializer.Deserialize<RolloutSpec>(
            await h.Database.ScalarAsync<string>("SELECT spec::text FROM rollouts WHERE id = @id", new { id = run.RolloutId }), Contracts.ContractJson.Options)!;
        Assert.Equal("hf://codertocat/hello-model@0.0.1", spec.Model.Source);
        Assert.Equal("prod", spec.Environment);
        Assert.Equal(["codertocat/hello-world/.orchestrator/rollout.yaml@0.0.1"], h.GitHub.ContentRequests);
        // As the App's installation named in configuration (the payload names none).
        Assert.Equal([77L], h.GitHub.InstallationsAsked);
        Assert.Empty(h.GitHub.Problems);
    }

    public static TheoryData<string, string> BadSignatures()
    {
        var body = GitHubFixtures.Payload("release.published.payload.json");
        var good = WebhookSignature.Sign(body, GitHubHarness.Secret);
        var sha1 = Convert.ToHexStringLower(HMACSHA1.HashData(Encoding.UTF8.GetBytes(GitHubHarness.Secret), body));
        return new TheoryData<string, string>
        {
            { "forged with another secret", WebhookSignature.Sign(body, "not the secret") },
            { "missing", "" },
            { "without its prefix", good["sha256=".Length..] },
            { "with the sha1 prefix", "sha1=" + good["sha256=".Length..] },
            { "a sha1 digest", "sha1=" + sha1 },
            { "another body's", WebhookSignature.Sign(GitHubFixtures.Payload("release.deleted.payload.json"), GitHubHarness.Secret) },
            { "truncated", good[..^2] },
            { "not hex", "sha256=" + new string('z', 64) },
        };
    }

    [Theory]
    [MemberData(nameof(BadSignatures))]
    public async Task Signature_ForgedMissingOrMisprefixed_401AndNothingRecorded(string why, string signature)
    {
        await using var h = await GitHubHarness.StartAsync();
        await h.BindAsync("Codertocat/Hello-World");

        using var response = await h.DeliverAsync(GitHubFixtures.Payload("release.published.payload.json"), "release", signature: signature, sign: signature.Length > 0);

        Assert.True(response.StatusCode == HttpStatusCode.Unauthorized, why);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        await Task.Delay(300); // the processor polls every 50 ms: it would have started a run by now
        Assert.Equal(0, await h.Database.ScalarAsync<long>("SELECT count(*) FROM github_deliveries"));
        Assert.Equal(0, await h.RunCountAsync());
    }

    [Fact]
    public async Task Delivery_ReplayedId_200AndNoSecondRun()
    {
        await using var h = await GitHubHarness.StartAsync();
        await h.BindAsync("Codertocat/Hello-World");
        var body = GitHubFixtures.Payload("release.published.payload.json");
        var deliveryId = Guid.NewGuid().ToString();
        await h.StartReleaseAsync(body, deliveryId);

        using var again = await h.DeliverAsync(body, "release", deliveryId);

        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        await Task.Delay(300);
        Assert.Equal(1, await h.RunCountAsync());
        Assert.Equal(1, await h.Database.ScalarAsync<long>("SELECT count(*) FROM github_deliveries"));
    }

    [Fact]
    public async Task Release_PublishedThenReleased_OneRun()
    {
        // GitHub sends both for one release, with different delivery ids.
        await using var h = await GitHubHarness.StartAsync();
        await h.BindAsync("Codertocat/Hello-World");
        await h.StartReleaseAsync(GitHubFixtures.Payload("release.published.payload.json"), Guid.NewGuid().ToString());
        var second = Guid.NewGuid().ToString();

        using (var response = await h.DeliverAsync(GitHubFixtures.Payload("release.released.json"), "release", second))
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);

        var delivery = await h.ProcessedAsync(second);
        Assert.Equal("ignored", delivery.Outcome);
        Assert.Contains("already", delivery.Detail, StringComparison.Ordinal);
        Assert.Equal(1, await h.RunCountAsync());
    }

    [Fact]
    public async Task Secret_NotConfigured_RefusedEvenWhenSigned()
    {
        await using var h = await GitHubHarness.StartAsync(secret: false);
        await h.BindAsync("Codertocat/Hello-World");

        using var signed = await h.DeliverAsync(GitHubFixtures.Payload("release.published.payload.json"), "release");
        using var unsigned = await h.DeliverAsync(GitHubFixtures.Payload("release.published.payload.json"), "release", sign: false);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, signed.StatusCode);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, unsigned.StatusCode);
        Assert.Contains("WebhookSecret", await signed.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(0, await h.Database.ScalarAsync<long>("SELECT count(*) FROM github_deliveries"));
        Assert.Equal(0, await h.RunCountAsync());
    }

    [Theory]
    [InlineData("ping.payload.json")]
    [InlineData("ping.with-app_id.payload.json")]
    [InlineData("ping.with-organization.payload.json")]
    public async Task Ping_200AndRecorded(string fixture)
    {
        await using var h = await GitHubHarness.StartAsync();
        var deliveryId = Guid.NewGuid().ToString();

        using var response = await h.DeliverAsync(GitHubFixtures.Payload(fixture), "ping", deliveryId);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var delivery = await h.ProcessedAsync(deliveryId);
        Assert.Equal(("ping", "ignored"), (delivery.Event, delivery.Outcome));
    }

    [Fact]
    public async Task Delivery_WithoutDeliveryHeader_400NamingIt()
    {
        await using var h = await GitHubHarness.StartAsync();
        using var client = new HttpClient { BaseAddress = h.Inner.Server.BaseAddress };
        var body = GitHubFixtures.Payload("release.published.payload.json");
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/webhooks/github") { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
        request.Headers.Add("X-GitHub-Event", "release");
        request.Headers.Add(WebhookSignature.Header, WebhookSignature.Sign(body, GitHubHarness.Secret));

        using var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("X-GitHub-Delivery", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }
}
