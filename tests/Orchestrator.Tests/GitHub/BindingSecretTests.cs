using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Contracts;
using Orchestrator.GitHub;

namespace Orchestrator.Tests.GitHub;

/// <summary>A webhook binding whose repository signs with a stored secret (<c>secret://NAME</c>) of its own.</summary>
public sealed class BindingSecretTests
{
    private const string BindingSecret = "binding-own-webhook-secret-42";

    [Theory]
    [InlineData("secret://not-stored")]
    [InlineData("secret://Bad Name")]
    [InlineData("plain-value-not-a-reference")]
    public async Task Create_SecretNotAStoredSecretsReference_400NamingTheField(string secret)
    {
        await using var h = await GitHubHarness.StartAsync();

        using var response = await h.User.Http.PostAsJsonAsync("/api/webhooks/bindings",
            new JsonObject { ["repository"] = "Octocoders/Hello-World", ["prodEnvironment"] = "prod", ["secret"] = secret });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.True(JsonNode.Parse(await response.Content.ReadAsStringAsync())!["errors"]!.AsObject().ContainsKey("secret"));
        Assert.Equal(0, await h.Database.ScalarAsync<long>("SELECT count(*) FROM github_bindings"));
    }

    [Fact]
    public async Task Delivery_BindingHasItsOwnSecret_SignedWithItIsTaken_SignedWithTheServiceSecretIs401_AndTheSecretCannotBeDeleted()
    {
        await using var h = await GitHubHarness.StartAsync();
        using (var put = await h.User.Http.PutAsJsonAsync("/api/secrets/hello-hook", new { value = BindingSecret }, ContractJson.Options))
            Assert.True(put.IsSuccessStatusCode, await put.Content.ReadAsStringAsync());
        using var created = await h.User.Http.PostAsJsonAsync("/api/webhooks/bindings",
            new JsonObject { ["repository"] = "Octocoders/Hello-World", ["prodEnvironment"] = "prod", ["secret"] = "secret://hello-hook" });
        var body = GitHubFixtures.Payload("ping.payload.json");

        using var withOwn = await h.DeliverAsync(body, "ping", signature: WebhookSignature.Sign(body, BindingSecret));
        using var withService = await h.DeliverAsync(body, "ping");
        using var delete = await h.User.Http.DeleteAsync("/api/secrets/hello-hook");

        var answer = await created.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Equal("secret://hello-hook", (string?)JsonNode.Parse(answer)!["secret"]);
        Assert.DoesNotContain(BindingSecret, answer + await h.User.Http.GetStringAsync("/api/webhooks/bindings"), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, withOwn.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, withService.StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, delete.StatusCode);
        Assert.Contains("webhook binding octocoders/hello-world", await delete.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Delivery_NoServiceSecretButTheBindingHasOne_Taken()
    {
        await using var h = await GitHubHarness.StartAsync(secret: false);
        using (var put = await h.User.Http.PutAsJsonAsync("/api/secrets/hello-hook", new { value = BindingSecret }, ContractJson.Options))
            Assert.True(put.IsSuccessStatusCode);
        using (var created = await h.User.Http.PostAsJsonAsync("/api/webhooks/bindings",
            new JsonObject { ["repository"] = "Octocoders/Hello-World", ["prodEnvironment"] = "prod", ["secret"] = "secret://hello-hook" }))
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var body = GitHubFixtures.Payload("ping.payload.json");

        using var response = await h.DeliverAsync(body, "ping", signature: WebhookSignature.Sign(body, BindingSecret));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task ServiceSecretIsAReference_RefusedUntilStored_ThenTaken_AndRotatedAtOnce()
    {
        await using var h = await GitHubHarness.StartAsync(false, "--GitHub:WebhookSecret", "secret://service-hook");
        var body = GitHubFixtures.Payload("ping.payload.json");

        using var beforeStored = await h.DeliverAsync(body, "ping", signature: WebhookSignature.Sign(body, BindingSecret));
        await PutSecretAsync(h, "service-hook", BindingSecret);
        using var stored = await h.DeliverAsync(body, "ping", signature: WebhookSignature.Sign(body, BindingSecret));
        await PutSecretAsync(h, "service-hook", BindingSecret + "-rotated");
        using var oldKey = await h.DeliverAsync(body, "ping", signature: WebhookSignature.Sign(body, BindingSecret));
        using var newKey = await h.DeliverAsync(body, "ping", signature: WebhookSignature.Sign(body, BindingSecret + "-rotated"));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, beforeStored.StatusCode);
        var problem = await beforeStored.Content.ReadAsStringAsync();
        Assert.Contains("GitHub:WebhookSecret names secret://service-hook", problem, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, stored.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, oldKey.StatusCode);
        Assert.Equal(HttpStatusCode.OK, newKey.StatusCode);
    }

    private static async Task PutSecretAsync(GitHubHarness h, string name, string value)
    {
        using var put = await h.User.Http.PutAsJsonAsync($"/api/secrets/{name}", new { value }, ContractJson.Options);
        Assert.True(put.IsSuccessStatusCode, await put.Content.ReadAsStringAsync());
    }
}
