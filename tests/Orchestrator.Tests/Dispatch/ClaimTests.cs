using System.Collections.Concurrent;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Orchestrator.Dispatch;
using Orchestrator.Persistence;
using Orchestrator.Tests.Infrastructure;

namespace Orchestrator.Tests.Dispatch;

public sealed class ClaimTests(TestDatabase database) : IClassFixture<TestDatabase>
{
    private StepClaimer NewClaimer()
    {
        var options = Options.Create(new DispatchOptions());
        var signal = new ReadySignal();
        var batcher = new WriteBatcher(new Database(database.DataSource), new RunProgress(signal), TimeProvider.System, options, NullLogger<WriteBatcher>.Instance);
        return new StepClaimer(database.DataSource, batcher, signal, TimeProvider.System, options,
            new Orchestrator.Telemetry.StepTelemetry(new Orchestrator.Telemetry.OrchestratorMetrics()), Secrets(database));
    }

    // The claimer reveals the secrets a step reads; these steps read none, the store is real all the same.
    internal static Orchestrator.Secrets.StepSecrets Secrets(TestDatabase database) =>
        new(new Orchestrator.Secrets.SecretStore(new Database(database.DataSource),
            new Orchestrator.Secrets.SecretProtector(new Microsoft.AspNetCore.DataProtection.EphemeralDataProtectionProvider()), TimeProvider.System));

    [Fact]
    public async Task Claim_EightConcurrentClaimers_ClaimEachOfAThousandStepsExactlyOnce()
    {
        var runId = await Seed.RunWithReadyNoopStepsAsync(database.DataSource, 1000, "claims");
        var claimer = NewClaimer();
        var runnerId = Guid.NewGuid();
        var claimed = new ConcurrentBag<Guid>();

        var claimers = Enumerable.Range(0, 8).Select(_ => Task.Run(async () =>
        {
            while (await claimer.TryClaimAsync(runnerId, [], CancellationToken.None) is { } claim)
            {
                Assert.Equal(runId, claim.RunId);
                claimed.Add(claim.StepId);
            }
        }));
        await Task.WhenAll(claimers);

        Assert.Equal(1000, claimed.Count);
        Assert.Equal(1000, claimed.Distinct().Count());
        Assert.Equal(1000, await database.ScalarAsync<long>(
            "SELECT count(*) FROM steps WHERE run_id = @runId AND status = 'running' AND attempt = 1", new { runId }));
    }

    [Fact]
    public async Task Claim_RunnerWithoutTheLabels_GetsNothing()
    {
        await database.ExecuteAsync("UPDATE steps SET status = 'succeeded' WHERE status IN ('ready', 'running')");
        var runId = await Seed.RunWithReadyNoopStepsAsync(database.DataSource, 1, "labels");
        await database.ExecuteAsync("UPDATE steps SET required_labels = '{gke}' WHERE run_id = @runId", new { runId });
        var claimer = NewClaimer();

        Assert.Null(await claimer.TryClaimAsync(Guid.NewGuid(), ["local"], CancellationToken.None));
        Assert.NotNull(await claimer.TryClaimAsync(Guid.NewGuid(), ["local", "gke"], CancellationToken.None));
    }
}
