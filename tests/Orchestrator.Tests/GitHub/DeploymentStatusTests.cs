using System.Diagnostics;
using Contracts;
using Orchestrator.Tests.Infrastructure;

namespace Orchestrator.Tests.GitHub;

/// <summary>Deployment statuses back to GitHub through Octokit, against the fake: order, URLs, outages, tokens.</summary>
public sealed class DeploymentStatusTests
{
    private const string Repository = "Codertocat/Hello-World";

    [Fact]
    public async Task Statuses_ReleaseRun_ArriveInOrderWithUrls_AndTheReplacedDeploymentGoesInactive()
    {
        await using var h = await GitHubHarness.StartAsync();
        await h.BindAsync(Repository, tags: ["0.0.1", "0.0.2"]);
        using var runner = await h.Inner.RunnerAsync();

        var first = await h.StartReleaseAsync(GitHubFixtures.Release("release.published.payload.json", Repository), Guid.NewGuid().ToString());
        await runner.DrainAsync(h.User, [first.Id]);
        var one = await StatesAsync(h, 0, "queued", "in_progress", "success");
        var second = await h.StartReleaseAsync(GitHubFixtures.Release("release.published.payload.json", Repository, releaseId: 17372791, tag: "0.0.2"), Guid.NewGuid().ToString());
        await runner.DrainAsync(h.User, [second.Id]);
        var two = await StatesAsync(h, 1, "queued", "in_progress", "success");
        await StatesAsync(h, 0, "queued", "in_progress", "success", "inactive");

        Assert.Equal([("codertocat/hello-world", "0.0.1", "prod", (bool?)false), ("codertocat/hello-world", "0.0.2", "prod", false)],
            h.GitHub.Deployments.Select(d => (d.Repository, d.Ref, d.Environment, d.AutoMerge)));
        foreach (var (statuses, run) in new[] { (one, first), (two, second) })
            Assert.All(statuses, s =>
            {
                Assert.Equal($"{GitHubHarness.PublicUrl}api/runs/{run.Id}", s.LogUrl);
                Assert.Equal($"{GitHubHarness.PublicUrl}api/environments/prod/generate", s.EnvironmentUrl);
                Assert.False(s.AutoInactive);
            });
        Assert.Empty(h.GitHub.Problems);
    }

    [Fact]
    public async Task Statuses_RunFails_FailureWithTheReason()
    {
        await using var h = await GitHubHarness.StartAsync(secret: true, "--Dispatch:MaxAttempts", "1");
        await h.BindAsync(Repository);
        using var runner = await h.Inner.RunnerAsync();
        var run = await h.StartReleaseAsync(GitHubFixtures.Payload("release.published.payload.json"), Guid.NewGuid().ToString());

        using (await runner.CompleteAsync(await runner.ClaimRequiredAsync(), StepStatuses.Failed, error: "no TPU capacity")) { }
        await h.User.WaitForStatusAsync(run.Id, RunStatuses.Failed);

        var statuses = await StatesAsync(h, 0, "queued", "in_progress", "failure");
        Assert.Contains("failed", statuses[^1].Description, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Statuses_GitHubDownOrHanging_RolloutSucceedsOnTime_StatusesFollowInOrder()
    {
        await using var h = await GitHubHarness.StartAsync();
        await h.BindAsync(Repository);
        using var runner = await h.Inner.RunnerAsync();
        h.GitHub.Outage = true;

        var clock = Stopwatch.StartNew();
        var run = await h.StartReleaseAsync(GitHubFixtures.Payload("release.published.payload.json"), Guid.NewGuid().ToString());
        await runner.DrainAsync(h.User, [run.Id]);
        var took = clock.Elapsed;

        Assert.Equal(RunStatuses.Succeeded, (await h.User.GetRunAsync(run.Id)).Status);
        Assert.True(took < TimeSpan.FromSeconds(15), $"the rollout took {took} while GitHub was down");
        await Eventually(async () => await h.Database.ScalarAsync<long>(
            "SELECT count(*) FROM github_status_updates WHERE attempts >= 2 AND last_error LIKE '%503%'") > 0, "503s retried");
        h.GitHub.Outage = false;
        h.GitHub.HangDeployments = true;
        await Eventually(async () => await h.Database.ScalarAsync<long>(
            "SELECT count(*) FROM github_status_updates WHERE last_error LIKE '%did not answer in time%'") > 0, "timeouts retried");
        Assert.Empty(h.GitHub.Statuses);
        Assert.True(h.GitHub.FailedRequests >= 3, $"{h.GitHub.FailedRequests} failed requests");

        h.GitHub.HangDeployments = false;
        await StatesAsync(h, 0, "queued", "in_progress", "success");
        Assert.Single(h.GitHub.Deployments);
    }

    [Theory]
    [InlineData(60, false)]
    [InlineData(4, true)]
    public async Task InstallationToken_RefreshedBeforeItExpires(int lifetimeMinutes, bool refreshed)
    {
        await using var h = await GitHubHarness.StartAsync();
        h.GitHub.TokenLifetime = TimeSpan.FromMinutes(lifetimeMinutes);
        await h.BindAsync(Repository);
        using var runner = await h.Inner.RunnerAsync();
        var run = await h.StartReleaseAsync(GitHubFixtures.Payload("release.published.payload.json"), Guid.NewGuid().ToString());
        await runner.DrainAsync(h.User, [run.Id]);

        await StatesAsync(h, 0, "queued", "in_progress", "success");

        // One read of the spec and three status updates (the first also creates the deployment): a token within five
        // minutes of its expiry is replaced before the next call, a fresher one is kept.
        Assert.Equal(refreshed ? 4 : 1, h.GitHub.TokensIssued);
        Assert.Empty(h.GitHub.Problems);
    }

    [Fact]
    public async Task Token_PersonalAccessToken_ReadsTheSpecAndSendsStatuses()
    {
        await using var h = await GitHubHarness.StartAsync(secret: true, asApp: false);
        await h.BindAsync(Repository);
        using var runner = await h.Inner.RunnerAsync();
        var run = await h.StartReleaseAsync(GitHubFixtures.Payload("release.published.payload.json"), Guid.NewGuid().ToString());
        await runner.DrainAsync(h.User, [run.Id]);

        await StatesAsync(h, 0, "queued", "in_progress", "success");
        Assert.Empty(h.GitHub.InstallationsAsked);
        Assert.Empty(h.GitHub.Problems);
    }

    [Fact]
    public async Task Contents_GitHubDown_DeliveryRetriedUntilItStarts()
    {
        await using var h = await GitHubHarness.StartAsync();
        await h.BindAsync(Repository);
        h.GitHub.ContentsOutage = true;
        var deliveryId = Guid.NewGuid().ToString();

        using (var response = await h.DeliverAsync(GitHubFixtures.Payload("release.published.payload.json"), "release", deliveryId))
            Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
        await Eventually(async () => await h.Database.ScalarAsync<int>(
            "SELECT attempts FROM github_deliveries WHERE delivery_id = @deliveryId AND detail LIKE '%502%'", new { deliveryId }) >= 2, "contents retried");
        Assert.Null(await h.Database.ScalarAsync<string?>("SELECT outcome FROM github_deliveries WHERE delivery_id = @deliveryId", new { deliveryId }));
        h.GitHub.ContentsOutage = false;

        Assert.Equal("started", (await h.ProcessedAsync(deliveryId)).Outcome);
        Assert.Equal(1, await h.RunCountAsync());
    }

    /// <summary>Waits until the <paramref name="index"/>-th deployment has exactly these states, in this order.</summary>
    private static async Task<IReadOnlyList<ReceivedStatus>> StatesAsync(GitHubHarness h, int index, params string[] states)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        IReadOnlyList<ReceivedStatus> received = [];
        while (DateTime.UtcNow < deadline)
        {
            if (h.GitHub.Deployments.ElementAtOrDefault(index) is { } deployment)
            {
                received = [.. h.GitHub.Statuses.Where(s => s.DeploymentId == deployment.Id)];
                if (received.Count >= states.Length) break;
            }
            await Task.Delay(50);
        }
        Assert.Equal(states, received.Select(s => s.State));
        return received;
    }

    private static async Task Eventually(Func<Task<bool>> condition, string what)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline) throw new Xunit.Sdk.XunitException($"Not within 20 s: {what}");
            await Task.Delay(50);
        }
    }
}
