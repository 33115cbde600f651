using Contracts.Specs;
using Orchestrator.GitHub;
using Orchestrator.Tests.Infrastructure;

namespace Orchestrator.Tests.GitHub;

/// <summary>Record, then work: a recorded delivery is processed whatever happened after its 200, and only once.</summary>
public sealed class DeliveryProcessorTests
{
    [Fact]
    public async Task Delivery_ClaimedByAnInstanceThatDied_IsProcessedByAnother()
    {
        await using var h = await GitHubHarness.StartAsync();
        await h.BindAsync("Codertocat/Hello-World");
        // What a crash leaves: recorded and answered, claimed by a pass that never finished, its claim lapsed.
        await h.Database.ExecuteAsync("""
            INSERT INTO github_deliveries (delivery_id, event, action, repository, release_id, tag, received_at, claim_token, claimed_until)
            VALUES ('crashed-1', 'release', 'published', 'codertocat/hello-world', 17372790, '0.0.1', now() - interval '2 minutes',
                    gen_random_uuid(), now() - interval '1 second')
            """);

        var delivery = await h.ProcessedAsync("crashed-1");

        Assert.Equal("started", delivery.Outcome);
        Assert.Equal(1, await h.RunCountAsync());
    }

    [Fact]
    public async Task StartRun_StaleClaimToken_NothingWritten()
    {
        await using var h = await GitHubHarness.StartAsync();
        await h.Database.ExecuteAsync("""
            INSERT INTO github_deliveries (delivery_id, event, action, repository, release_id, tag, received_at, claim_token, claimed_until, next_attempt_at)
            VALUES ('held-1', 'release', 'published', 'codertocat/hello-world', 1, 'v1', now(), gen_random_uuid(), now() + interval '1 hour', 'infinity')
            """);
        var stale = new ClaimedDelivery { DeliveryId = "held-1", Event = "release", Action = "published", Repository = "codertocat/hello-world", ReleaseId = 1, Tag = "v1", ClaimToken = Guid.NewGuid() };
        var spec = System.Text.Json.JsonSerializer.Deserialize<RolloutSpec>(Specs.Local("prod").ToJsonString(), Contracts.ContractJson.Options)!;

        await h.Inner.Server.Services.GetRequiredService<ReleaseRuns>().StartAsync(stale, spec, ReleaseRuns.Trigger(stale),
            new Deployment("codertocat/hello-world", "v1", "prod", null), CancellationToken.None);

        Assert.Equal(0, await h.RunCountAsync());
        Assert.Equal(0, await h.Database.ScalarAsync<long>("SELECT count(*) FROM github_deployments"));
        Assert.Null(await h.Database.ScalarAsync<string?>("SELECT outcome FROM github_deliveries WHERE delivery_id = 'held-1'"));
    }
}
