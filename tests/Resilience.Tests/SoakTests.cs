using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using Resilience.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Resilience.Tests;

/// <summary>Many runs over two orchestrator instances and eight runners while a user cancels some runs at random and
/// retries some of the cancelled ones, through either instance. No step may run twice, no run may be lost, every run
/// ends in a final state that matches what was done to it.</summary>
public sealed class SoakTests(ITestOutputHelper output)
{
    [Fact]
    public async Task ManyRuns_RandomCancelsAndRetries_NoDuplicatesNoLossesAllFinal()
    {
        var wall = Stopwatch.StartNew();
        var count = Counts.SoakRuns;
        var random = new Random();
        await using var cluster = await Cluster.StartAsync(instances: 2);
        await cluster.StartRunnersAsync(8);
        using var stop = new CancellationTokenSource();
        var poller = cluster.PollAsync(stop.Token);
        using var apiA = cluster.Api(0);
        using var apiB = cluster.Api(1);
        HttpClient AnyApi() => random.Next(2) == 0 ? apiA : apiB;

        var ids = new List<Guid>();
        var cancelled = new ConcurrentDictionary<Guid, bool>();
        var retried = new ConcurrentDictionary<Guid, bool>();
        var unexpected = new ConcurrentQueue<string>();
        const int batch = 50;
        for (var seeded = 0; seeded < count; seeded += batch)
        {
            var wave = await NoopRuns.SeedAsync(cluster.Database, $"soak{seeded}", Math.Min(batch, count - seeded));
            ids.AddRange(wave);
            // About one run in eight is cancelled, soon after it was queued, so some are caught mid-step.
            foreach (var id in wave.Where(_ => random.Next(8) == 0))
            {
                if (await PostAsync(AnyApi(), $"api/runs/{id}/cancel", unexpected)) cancelled[id] = true;
            }
            await Task.Delay(random.Next(50, 300));
            // Half of the cancelled runs so far are retried (a retry of a run that is not final yet is refused: 409).
            foreach (var id in cancelled.Keys.Where(k => !retried.ContainsKey(k) && random.Next(2) == 0).ToList())
            {
                if (await PostAsync(AnyApi(), $"api/runs/{id}/retry", unexpected)) retried[id] = true;
            }
        }
        await NoopRuns.WaitAllFinalAsync(cluster.Database, ids, TimeSpan.FromMinutes(10), cluster.Diagnostics);
        await stop.CancelAsync();
        await poller;

        var statuses = await NoopRuns.StatusesAsync(cluster.Database, ids);
        var final = (await cluster.Database.QueryAsync<(Guid Id, string Status)>("SELECT id, status FROM runs WHERE id = ANY(@ids)", new { ids = ids.ToArray() }))
            .ToDictionary(r => r.Id, r => r.Status);
        var losses = (await NoopRuns.LossesAsync(cluster.Database, ids)).ToList();
        // A run nobody cancelled, or one retried after its cancel, must have succeeded; a cancelled one may have
        // finished before the cancel landed (then the cancel was refused and it is not in the set).
        losses.AddRange(ids.Where(id => (!cancelled.ContainsKey(id) || retried.ContainsKey(id)) && final[id] != "succeeded")
            .Select(id => $"run {id} ({(retried.ContainsKey(id) ? "retried" : "untouched")}) ended {final[id]}"));
        var duplicates = RunnerLogs.Duplicates(cluster.Stack.Dir);
        var claims = RunnerLogs.Claims(cluster.Stack.Dir).Count;
        new Figures("soak", ids.Count, 0, 0, duplicates.Count, losses.Count, cluster.Errors.Count, wall.Elapsed.TotalSeconds).Report(output);
        output.WriteLine($"statuses: {string.Join(", ", statuses)}; cancels accepted {cancelled.Count}, retries accepted {retried.Count}, claims {claims}");

        Assert.True(unexpected.IsEmpty, string.Join('\n', unexpected.Take(10)));
        Assert.True(losses.Count == 0, string.Join('\n', losses.Take(10)));
        Assert.True(duplicates.Count == 0, string.Join('\n', duplicates.Take(10)));
        Assert.True(cluster.Errors.Count == 0, cluster.Errors.Describe());
        // The duplicate check reads the runners' logs: it must have seen every step's claim, or it proves nothing.
        Assert.True(claims >= statuses.GetValueOrDefault("succeeded") * 2, $"only {claims} claims in the runner logs");
        Assert.True(cancelled.Count > 0 && retried.Count > 0, $"the soak cancelled {cancelled.Count} and retried {retried.Count} runs");
    }

    /// <summary>True on 202; false on 409 (the run was already final, or not final yet for a retry); anything else is
    /// recorded as unexpected.</summary>
    private static async Task<bool> PostAsync(HttpClient api, string path, ConcurrentQueue<string> unexpected)
    {
        using var response = await api.PostAsync(path, null);
        if (response.StatusCode == HttpStatusCode.Accepted) return true;
        if (response.StatusCode != HttpStatusCode.Conflict) unexpected.Enqueue($"POST {path}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        return false;
    }
}
