using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Contracts.Protocol;
using Resilience.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Resilience.Tests;

/// <summary>
/// PostgreSQL restarted with a fast shutdown (every connection cut) while runs flow through real runners and while a
/// step's log is being appended and followed. The service must come back by itself (no restart of it), every run must
/// finish, and every log line the service acknowledged (2xx) must be in the step's log and reach its follower.
/// The log-writing runner is the test itself speaking the runner protocol, so that it knows exactly which lines were
/// acknowledged.
/// </summary>
public sealed class PostgresRestartTests(ITestOutputHelper output)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    [Fact]
    public async Task PostgresRestartedFast_MidRunAndDuringLogStreaming_ServiceRecoversAndNoAcknowledgedLineLost()
    {
        var wall = Stopwatch.StartNew();
        await using var postgres = await PrivatePostgres.StartAsync();
        // A lease longer than an outage: this suite is about the database, not about expiry.
        await using var cluster = await Cluster.StartAsync(1, new Dictionary<string, string> { ["Dispatch__LeaseSeconds"] = "20" }, postgres.ConnectionString);
        await cluster.StartRunnersAsync(2);
        using var stop = new CancellationTokenSource();
        var poller = cluster.PollAsync(stop.Token);

        using var runner = await RegisterAsync(cluster, "log-writer");
        var logRun = await NoopRuns.SeedAsync(cluster.Database, "logs", 1, ["logs"]);
        var claim = await ClaimAsync(runner);
        var acknowledged = new ConcurrentQueue<string>();
        using var writing = new CancellationTokenSource();
        var writer = WriteLogsAsync(runner, claim, acknowledged, writing.Token);
        using var followStop = new CancellationTokenSource();
        var followed = new ConcurrentDictionary<string, bool>();
        var follower = FollowAsync(cluster, claim.StepId, followed, followStop.Token);

        var ids = new List<Guid>();
        var restarts = Counts.PostgresRestarts;
        for (var r = 0; r < restarts; r++)
        {
            ids.AddRange(await SeedRetryingAsync(cluster, $"pg{r}", 20));
            await Task.Delay(TimeSpan.FromSeconds(1.5));
            await postgres.RestartFastAsync();
            await Task.Delay(TimeSpan.FromSeconds(1.5));
        }
        // After the last restart: new work is taken up without anyone restarting the service.
        ids.AddRange(await SeedRetryingAsync(cluster, "after", 20));
        await NoopRuns.WaitAllFinalAsync(cluster.Database, ids, TimeSpan.FromMinutes(3), cluster.Diagnostics);
        await writing.CancelAsync();
        var (sent, refused) = await writer;
        await CompleteAsync(runner, claim);

        var expected = acknowledged.ToHashSet();
        var stored = await StoredLinesAsync(cluster, claim.StepId);
        await Eventually.Async(() => Task.FromResult(expected.All(followed.ContainsKey)), TimeSpan.FromSeconds(60),
            () => $"the follower missed {expected.Count(l => !followed.ContainsKey(l))} acknowledged lines");
        await followStop.CancelAsync();
        await follower;
        await stop.CancelAsync();
        await poller;

        var lostInStore = expected.Where(l => !stored.Contains(l)).ToList();
        var statuses = await NoopRuns.StatusesAsync(cluster.Database, ids);
        var losses = (await NoopRuns.LossesAsync(cluster.Database, ids)).Concat(lostInStore.Select(l => "log line lost: " + l)).ToList();
        var duplicates = RunnerLogs.Duplicates(cluster.Stack.Dir).Concat(stored.GroupBy(l => l).Where(g => g.Count() > 1).Select(g => "log line twice: " + g.Key)).ToList();
        new Figures("postgres-restart", ids.Count + logRun.Count, 0, restarts, duplicates.Count, losses.Count, cluster.Errors.Count, wall.Elapsed.TotalSeconds).Report(output);
        output.WriteLine($"log lines sent {sent}, acknowledged {expected.Count}, refused or failed {refused}, stored {stored.Count}");

        Assert.True(statuses.GetValueOrDefault("succeeded") == ids.Count, "statuses: " + string.Join(", ", statuses));
        Assert.True(losses.Count == 0, string.Join('\n', losses.Take(10)));
        Assert.True(duplicates.Count == 0, string.Join('\n', duplicates.Take(10)));
        Assert.True(cluster.Errors.Count == 0, cluster.Errors.Describe());
        Assert.True(expected.Count >= 20, $"only {expected.Count} log lines were acknowledged: the check proves nothing");
    }

    /// <summary>The arrangement itself may meet the restart: seeding is retried until PostgreSQL takes it.</summary>
    private static async Task<IReadOnlyList<Guid>> SeedRetryingAsync(Cluster cluster, string prefix, int runs)
    {
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                return await NoopRuns.SeedAsync(cluster.Database, $"{prefix}-{attempt}", runs);
            }
            catch (Npgsql.NpgsqlException) when (attempt < 30)
            {
                await Task.Delay(500);
            }
        }
    }

    private static async Task<HttpClient> RegisterAsync(Cluster cluster, string name)
    {
        var registration = await cluster.Stack.CreateTokenAsync("registration");
        using var anonymous = cluster.Errors.Client(cluster.Stack.Server, registration);
        using var response = await anonymous.PostAsJsonAsync("api/runners/register", new RegisterRunnerRequest(name, ["logs"]), Json);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"register: {(int)response.StatusCode} {body}");
        var registered = JsonSerializer.Deserialize<RegisterRunnerResponse>(body, Json)!;
        return cluster.Errors.Client(cluster.Stack.Server, registered.Token);
    }

    private static async Task<StepClaim> ClaimAsync(HttpClient runner)
    {
        StepClaim? claim = null;
        await Eventually.Async(async () =>
        {
            using var response = await runner.PostAsync("api/runners/claim?waitSeconds=5", null);
            if (response.StatusCode != System.Net.HttpStatusCode.OK) return false;
            claim = JsonSerializer.Deserialize<StepClaim>(await response.Content.ReadAsStringAsync(), Json);
            return claim is not null;
        }, TimeSpan.FromSeconds(60), () => "no claim for the log-writing runner");
        return claim!;
    }

    /// <summary>Appends a batch of five numbered lines every 50 ms and heartbeats every second; a batch is acknowledged
    /// only by a 2xx answer. A refused or failed batch is sent again with the same sequence numbers, as the runner's
    /// batcher does, until the service takes it.</summary>
    private static async Task<(int Sent, int Refused)> WriteLogsAsync(HttpClient runner, StepClaim claim, ConcurrentQueue<string> acknowledged, CancellationToken stop)
    {
        await Task.Yield();
        long sequence = 0;
        var sent = 0;
        var refused = 0;
        var lastBeat = Stopwatch.StartNew();
        List<LogLine>? pending = null;
        while (!stop.IsCancellationRequested)
        {
            pending ??= [.. Enumerable.Range(0, 5).Select(_ => { sequence++; return new LogLine(sequence, DateTimeOffset.UtcNow, $"line {sequence.ToString(CultureInfo.InvariantCulture)}"); })];
            sent += pending.Count;
            try
            {
                using var response = await runner.PostAsJsonAsync($"api/steps/{claim.StepId}/logs", new AppendLogsRequest(claim.LeaseToken, pending), Json);
                if (response.IsSuccessStatusCode)
                {
                    foreach (var line in pending) acknowledged.Enqueue(line.Text);
                    pending = null;
                }
                else
                {
                    refused += pending.Count;
                }
                if (lastBeat.Elapsed > TimeSpan.FromSeconds(1))
                {
                    using var beat = await runner.PostAsJsonAsync($"api/steps/{claim.StepId}/heartbeat", new HeartbeatRequest(claim.LeaseToken), Json);
                    if (beat.IsSuccessStatusCode) lastBeat.Restart();
                }
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                refused += pending!.Count;
            }
            try
            {
                await Task.Delay(50, stop);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }
        return (sent, refused);
    }

    private static async Task CompleteAsync(HttpClient runner, StepClaim claim)
    {
        using var response = await runner.PostAsJsonAsync($"api/steps/{claim.StepId}/complete", new CompleteStepRequest(claim.LeaseToken, "succeeded"), Json);
        Assert.True(response.IsSuccessStatusCode || response.StatusCode == System.Net.HttpStatusCode.NoContent,
            $"complete: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
    }

    /// <summary>Follows the step's log as server-sent events; a dropped stream is resumed with <c>Last-Event-ID</c>, as
    /// the CLI and the dashboard do.</summary>
    private static async Task FollowAsync(Cluster cluster, Guid stepId, ConcurrentDictionary<string, bool> seen, CancellationToken stop)
    {
        await Task.Yield();
        using var client = cluster.Errors.Client(cluster.Stack.Server, cluster.Stack.UserToken, Timeout.InfiniteTimeSpan);
        var lastId = "0";
        while (!stop.IsCancellationRequested)
        {
            try
            {
                using var request = new HttpRequestMessage(HttpMethod.Get, $"api/steps/{stepId}/logs?follow=true");
                request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
                request.Headers.Add("Last-Event-ID", lastId);
                using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, stop);
                if (!response.IsSuccessStatusCode)
                {
                    await Task.Delay(300, stop);
                    continue;
                }
                using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(stop));
                while (await reader.ReadLineAsync(stop) is { } line)
                {
                    if (line.StartsWith("id: ", StringComparison.Ordinal)) lastId = line[4..];
                    else if (line.StartsWith("data: ", StringComparison.Ordinal) && JsonNode.Parse(line[6..])?["text"] is JsonValue text) seen[(string)text!] = true;
                }
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is HttpRequestException or IOException or TaskCanceledException)
            {
                // The stream broke with the database or the connection: resume.
            }
            try
            {
                await Task.Delay(200, stop);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private static async Task<List<string>> StoredLinesAsync(Cluster cluster, Guid stepId)
    {
        using var api = cluster.Api();
        var texts = new List<string>();
        long after = 0;
        while (true)
        {
            // Pages of at most 500 lines, resumed after the last line's id.
            var page = (await api.GetFromJsonAsync<JsonArray>($"api/steps/{stepId}/logs?after={after}", Json))!;
            if (page.Count == 0) return texts;
            texts.AddRange(page.Select(l => (string)l!["text"]!));
            after = (long)page[^1]!["id"]!;
        }
    }
}
