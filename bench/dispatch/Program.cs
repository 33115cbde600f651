using System.Collections.Concurrent;
using System.Diagnostics;
using DispatchBench;
using Npgsql;

// Usage: DispatchBench URL CONNECTION_STRING QUARTZ_CONNECTION_STRING REGISTRATION_TOKENS(comma-separated, 8) [STEPS] [SAMPLES]
if (args.Length < 4)
{
    Console.Error.WriteLine("usage: DispatchBench URL DB QUARTZ_DB REGISTRATION_TOKENS [STEPS=2000] [LATENCY_SAMPLES=200]");
    return 2;
}
var server = new Uri(args[0]);
await using var dataSource = NpgsqlDataSource.Create(args[1]);
var quartzDb = args[2];
var tokens = args[3].Split(',', StringSplitOptions.RemoveEmptyEntries);
var steps = args.Length > 4 ? int.Parse(args[4], System.Globalization.CultureInfo.InvariantCulture) : 2000;
var samples = args.Length > 5 ? int.Parse(args[5], System.Globalization.CultureInfo.InvariantCulture) : 200;
const int StepsPerRun = 10;
// A service runs for days: measure it after the JIT has settled (tiered compilation, dynamic PGO), not while it works.
const int WarmUpSteps = 6000;

var runners = new List<RunnerLoop>();
for (var i = 0; i < tokens.Length; i++) runners.Add(await RunnerLoop.RegisterAsync(server, tokens[i], $"bench-{i}"));

// Warm-up (JIT, connection pools), then (a) throughput.
await Seeder.SeedAsync(dataSource, "warm", WarmUpSteps / StepsPerRun, StepsPerRun);
await DrainAsync(runners);
await Seeder.SeedAsync(dataSource, "tput", steps / StepsPerRun, StepsPerRun);
var commitsBefore = await CommitsAsync(dataSource);
var requestsBefore = RunnerLoop.Requests;
var started = Stopwatch.GetTimestamp();
var done = await DrainAsync(runners);
var elapsed = Stopwatch.GetElapsedTime(started);
var requests = RunnerLoop.Requests - requestsBefore;
// PostgreSQL publishes a backend's counters within a second of its last transaction.
await Task.Delay(2500);
var commits = await CommitsAsync(dataSource) - commitsBefore;
Console.WriteLine($"(a) throughput: {done} noop steps by {runners.Count} runner loops in {elapsed.TotalSeconds:F2} s = {done / elapsed.TotalSeconds:F0} steps/s " +
                  $"({requests / (double)done:F2} HTTP calls per step; {commits} commits in the database = {(double)commits / done:F2} per step, batched)");

// (b) latency: every runner idle in a long poll; one step becomes ready at a time (committed by another process,
// so the wake-up travels through NOTIFY); measured from its commit to a runner holding the claim.
var runId = await Seeder.LatencyRunAsync(dataSource, "lat");
var received = new ConcurrentDictionary<Guid, long>();
using var stop = new CancellationTokenSource();
var waiting = runners.Select(runner => Task.Run(async () =>
{
    while (!stop.IsCancellationRequested)
    {
        try
        {
            if (await runner.ClaimAsync(30, stop.Token) is not { } claim) continue;
            received[claim.StepId] = Stopwatch.GetTimestamp();
            await runner.HeartbeatAndCompleteAsync(claim, claimNext: false, stop.Token);
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            return;
        }
    }
})).ToList();
await Task.Delay(1000);
var latencies = new List<double>();
for (var i = 0; i < samples; i++)
{
    var (stepId, committedAt) = await Seeder.AddReadyStepAsync(dataSource, runId, i);
    while (!received.ContainsKey(stepId)) await Task.Delay(1);
    latencies.Add(Stopwatch.GetElapsedTime(committedAt, received[stepId]).TotalMilliseconds);
    await Task.Delay(Random.Shared.Next(20, 40)); // let the runner finish and wait again
}
await stop.CancelAsync();
await Task.WhenAll(waiting);
latencies.Sort();
double Percentile(double p) => latencies[Math.Min(latencies.Count - 1, (int)Math.Ceiling(p * latencies.Count) - 1)];
Console.WriteLine($"(b) dispatch latency over {samples} steps, {runners.Count} idle runners: p50 {Percentile(0.50):F1} ms, p99 {Percentile(0.99):F1} ms, max {latencies[^1]:F1} ms");

// (d) Quartz.NET with the ADO.NET job store, the same number of one-shot jobs.
var quartz = await QuartzBench.JobsPerSecondAsync(quartzDb, done);
Console.WriteLine($"(d) Quartz.NET 4.7.3 AdoJobStore (PostgreSQL, 8 threads): {done} one-shot jobs = {quartz:F0} jobs/s");
Console.WriteLine($"RESULT steps_per_s={done / elapsed.TotalSeconds:F0} p50_ms={Percentile(0.50):F1} p99_ms={Percentile(0.99):F1} quartz_jobs_per_s={quartz:F0}");
foreach (var runner in runners) runner.Dispose();
return 0;

static async Task<long> CommitsAsync(NpgsqlDataSource dataSource)
{
    await using var connection = await dataSource.OpenConnectionAsync();
    await using var command = new NpgsqlCommand("SELECT xact_commit FROM pg_stat_database WHERE datname = current_database()", connection);
    return (long)(await command.ExecuteScalarAsync())!;
}

static async Task<int> DrainAsync(List<RunnerLoop> runners)
{
    var count = 0;
    await Task.WhenAll(runners.Select(runner => Task.Run(async () =>
    {
        var claim = await runner.ClaimAsync(0, CancellationToken.None);
        while (claim is not null)
        {
            claim = await runner.HeartbeatAndCompleteAsync(claim, claimNext: true, CancellationToken.None)
                    ?? await runner.ClaimAsync(0, CancellationToken.None);
            Interlocked.Increment(ref count);
        }
    })));
    return count;
}
