using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Contracts;
using Contracts.Specs;
using Orchestrator.Tests.Infrastructure;

namespace Orchestrator.Tests.GitHub;

/// <summary>Where a release goes by its binding: staging or prod, ignored, refused for a bad spec, or rolled back.</summary>
public sealed class ReleaseRoutingTests
{
    [Theory]
    [InlineData("release.prereleased.payload.json", null, "staging")]
    [InlineData("release.published.payload.json", true, "staging")]
    [InlineData("release.published.payload.json", false, "prod")]
    [InlineData("release.released.json", null, "prod")]
    public async Task Release_PrereleaseOrNot_GoesToStagingOrProd(string fixture, bool? prerelease, string environment)
    {
        await using var h = await GitHubHarness.StartAsync();
        await h.BindAsync("Codertocat/Hello-World");

        var run = await h.StartReleaseAsync(GitHubFixtures.Release(fixture, "Codertocat/Hello-World", prerelease: prerelease), Guid.NewGuid().ToString());

        Assert.Equal(environment, run.Environment);
    }

    [Theory]
    [InlineData(false, "ignored")]
    [InlineData(true, "started")]
    public async Task Edited_IgnoredUnlessTheBindingAsks(bool asked, string outcome)
    {
        await using var h = await GitHubHarness.StartAsync();
        await h.BindAsync("Codertocat/Hello-World", actions: asked ? ["published", "edited"] : null);
        var deliveryId = Guid.NewGuid().ToString();

        using (var response = await h.DeliverAsync(GitHubFixtures.Payload("release.edited.payload.json"), "release", deliveryId))
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);

        Assert.Equal(outcome, (await h.ProcessedAsync(deliveryId)).Outcome);
        Assert.Equal(asked ? 1 : 0, await h.RunCountAsync());
    }

    [Theory]
    [InlineData("model:\n  family: llama-3\n  size: tiny\n  source: hf://org/m@{tag}\nengine:\n  batchSize: \"four\"\n", "engine.batchSize")]
    [InlineData("model:\n  family: llama-3\n  size: huge\n  source: hf://org/m@{tag}\n", "model.size")]
    [InlineData("model: [unclosed\n", "not a valid YAML")]
    public async Task Spec_InvalidAtTheTag_RecordsWhyStartsNothingAnswers200(string yaml, string named)
    {
        await using var h = await GitHubHarness.StartAsync();
        await h.BindAsync("Codertocat/Hello-World", tags: "other");
        h.GitHub.AddFile("Codertocat/Hello-World", GitHubHarness.SpecPath, "0.0.1", yaml);
        var deliveryId = Guid.NewGuid().ToString();

        using var response = await h.DeliverAsync(GitHubFixtures.Payload("release.published.payload.json"), "release", deliveryId);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var delivery = await h.ProcessedAsync(deliveryId);
        Assert.Equal("invalid", delivery.Outcome);
        Assert.Contains(named, delivery.Detail, StringComparison.Ordinal);
        Assert.Equal(0, await h.RunCountAsync());
    }

    [Fact]
    public async Task Spec_MissingAtTheTag_RecordsWhy()
    {
        await using var h = await GitHubHarness.StartAsync();
        await h.BindAsync("Codertocat/Hello-World", tags: "another-tag");
        var deliveryId = Guid.NewGuid().ToString();

        using (await h.DeliverAsync(GitHubFixtures.Payload("release.published.payload.json"), "release", deliveryId)) { }

        var delivery = await h.ProcessedAsync(deliveryId);
        Assert.Equal("invalid", delivery.Outcome);
        Assert.StartsWith(".orchestrator/rollout.yaml does not exist in codertocat/hello-world at 0.0.1", delivery.Detail, StringComparison.Ordinal);
        Assert.Equal(0, await h.RunCountAsync());
    }

    [Fact]
    public async Task Release_NoBinding_Ignored()
    {
        await using var h = await GitHubHarness.StartAsync();
        var deliveryId = Guid.NewGuid().ToString();

        using (await h.DeliverAsync(GitHubFixtures.Payload("release.published.payload.json"), "release", deliveryId)) { }

        var delivery = await h.ProcessedAsync(deliveryId);
        Assert.Equal("ignored", delivery.Outcome);
        Assert.Contains("no webhook binding for codertocat/hello-world", delivery.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Deleted_BindingSaysRollback_AppliesThePreviousSuccessfulRolloutAgain()
    {
        await using var h = await GitHubHarness.StartAsync();
        await h.BindAsync("Codertocat/Hello-World", onRemoved: "rollback");
        using var runner = await h.Inner.RunnerAsync();
        var before = await h.User.ApplyAsync(Specs.Local("prod"));
        await runner.DrainAsync(h.User, [before.Id]);
        var release = await h.StartReleaseAsync(GitHubFixtures.Payload("release.published.payload.json"), Guid.NewGuid().ToString());
        await runner.DrainAsync(h.User, [release.Id]);
        var deliveryId = Guid.NewGuid().ToString();

        using (await h.DeliverAsync(GitHubFixtures.Payload("release.deleted.payload.json"), "release", deliveryId)) { }

        var delivery = await h.ProcessedAsync(deliveryId);
        Assert.True(delivery.Outcome == "started", delivery.Detail);
        var rollback = await h.User.GetRunAsync(delivery.RunId!.Value);
        Assert.Equal("prod", rollback.Environment);
        Assert.Equal(before.Revision, rollback.Trigger.Details!["rollbackTo"]);
        Assert.Equal(release.Revision, rollback.Trigger.Details!["rollbackFrom"]);
        Assert.Equal(await SpecOfAsync(h, before.RolloutId), await SpecOfAsync(h, rollback.RolloutId));
    }

    [Theory]
    [InlineData("nothing", true)]
    [InlineData("rollback", false)]
    public async Task Deleted_NothingToDo_StartsNothing(string onRemoved, bool releaseIsCurrent)
    {
        await using var h = await GitHubHarness.StartAsync();
        await h.BindAsync("Codertocat/Hello-World", onRemoved: onRemoved);
        using var runner = await h.Inner.RunnerAsync();
        var release = await h.StartReleaseAsync(GitHubFixtures.Payload("release.published.payload.json"), Guid.NewGuid().ToString());
        await runner.DrainAsync(h.User, [release.Id]);
        if (!releaseIsCurrent) await runner.DrainAsync(h.User, [(await h.User.ApplyAsync(Specs.Local("prod"))).Id]);
        var runs = await h.RunCountAsync();
        var deliveryId = Guid.NewGuid().ToString();

        using (await h.DeliverAsync(GitHubFixtures.Payload("release.deleted.payload.json"), "release", deliveryId)) { }

        Assert.Equal("ignored", (await h.ProcessedAsync(deliveryId)).Outcome);
        Assert.Equal(runs, await h.RunCountAsync());
    }

    [Fact]
    public async Task Bindings_BadInput_400NamingTheField()
    {
        await using var h = await GitHubHarness.StartAsync();
        (object Body, string Field)[] cases =
        [
            (new { repository = "no-slash", prodEnvironment = "prod" }, "repository"),
            (new { repository = "o/r", prodEnvironment = "nowhere" }, "prodEnvironment"),
            (new { repository = "o/r" }, "prodEnvironment"),
            (new { repository = "o/r", prodEnvironment = "prod", actions = new[] { "deleted" } }, "actions"),
            (new { repository = "o/r", prodEnvironment = "prod", onRemoved = "explode" }, "onRemoved"),
            (new { repository = "o/r", prodEnvironment = "prod", specPath = "../etc/passwd" }, "specPath"),
            (new { repository = "o/r", prodEnvironment = "prod", colour = "red" }, "colour"),
        ];
        foreach (var (body, field) in cases)
        {
            using var response = await h.User.Http.PostAsJsonAsync("/api/webhooks/bindings", body);
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
            Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), $"{field}: {problem}");
        }
        Assert.Equal(0, await h.Database.ScalarAsync<long>("SELECT count(*) FROM github_bindings"));
    }

    [Fact]
    public async Task Bindings_CreateReplaceDelete_AndOneBindingPerRepository()
    {
        await using var h = await GitHubHarness.StartAsync();
        var created = await h.BindAsync("Octo/Repo");
        Assert.Equal(("octo/repo", "nothing", ".orchestrator/rollout.yaml"), (created.Repository, created.OnRemoved, created.SpecPath));
        Assert.Equal(["published", "released", "prereleased"], created.Actions);

        using (var twice = await h.User.Http.PostAsJsonAsync("/api/webhooks/bindings", new { repository = "octo/REPO", prodEnvironment = "prod" }))
            Assert.Equal(HttpStatusCode.BadRequest, twice.StatusCode);
        using (var put = await h.User.Http.PutAsJsonAsync($"/api/webhooks/bindings/{created.Id}", new { repository = "octo/repo", stagingEnvironment = "staging", onRemoved = "rollback" }))
            Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        var replaced = await h.User.Http.GetFromJsonAsync<Orchestrator.GitHub.BindingDto>($"/api/webhooks/bindings/{created.Id}", ContractJson.Options);
        Assert.Equal((null, "staging", "rollback"), (replaced!.ProdEnvironment, replaced.StagingEnvironment, replaced.OnRemoved));
        using (var delete = await h.User.Http.DeleteAsync($"/api/webhooks/bindings/{created.Id}")) Assert.Equal(HttpStatusCode.NoContent, delete.StatusCode);
        using (var gone = await h.User.Http.GetAsync($"/api/webhooks/bindings/{created.Id}")) Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);
        using var anonymous = h.Inner.Server.Client();
        using (var refused = await anonymous.GetAsync("/api/webhooks/bindings")) Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
    }

    private static async Task<string> SpecOfAsync(GitHubHarness h, Guid rolloutId) =>
        JsonSerializer.Serialize(JsonSerializer.Deserialize<RolloutSpec>(
            await h.Database.ScalarAsync<string>("SELECT spec::text FROM rollouts WHERE id = @rolloutId", new { rolloutId }), ContractJson.Options), ContractJson.Options);
}
