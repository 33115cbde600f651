using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Dapper;
using Npgsql;

// Usage: ScheduleBench SERVER1,SERVER2 TOKEN DB COUNT burst|spread
// COUNT environments and one apply schedule on each, created alternately through each instance, whose cron fires once,
// in the minute that starts at least 20 s from now: all at its second 0 (burst), or spread over its 60 seconds (spread).
// Lateness of a fire = schedule_fires.fired_at (the fire job has started) - the cron's fire time; of a run =
// runs.created_at - the fire time. Exactly one run per schedule is expected. Fifteen seconds before, WARMUP other
// schedules fire (not counted), so that both instances have run the fire path once: a fresh process compiles it on its
// first fires, which is start-up cost, not the scheduler's accuracy.
const int Warmup = 20;
const double TargetP99Seconds = 1.0;
var servers = args[0].Split(',').Select(s => new Uri(s)).ToArray();
var token = args[1];
var db = args[2];
var count = int.Parse(args[3], CultureInfo.InvariantCulture);
var spread = args[4] == "spread";

var clients = servers.Select(s =>
{
    var c = new HttpClient { BaseAddress = s, Timeout = TimeSpan.FromSeconds(30) };
    c.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
    return c;
}).ToArray();

var now = DateTimeOffset.UtcNow;
var minute = new DateTimeOffset(now.Year, now.Month, now.Day, now.Hour, now.Minute, 0, TimeSpan.Zero).AddMinutes(1);
if (minute - now < TimeSpan.FromSeconds(35)) minute = minute.AddMinutes(1);
var fireTimes = Enumerable.Range(0, count).Select(i => minute.AddSeconds(spread ? i * 60 / count : 0)).ToArray();
var warmupAt = minute.AddSeconds(-15);

var setup = System.Diagnostics.Stopwatch.StartNew();
await Parallel.ForEachAsync(Enumerable.Range(0, count + Warmup), new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (i, cancellationToken) =>
{
    var http = clients[i % clients.Length];
    var name = i < count ? $"bench-{i:000}" : $"warmup-{i - count:000}";
    using (var put = await http.PutAsJsonAsync($"api/environments/{name}", new { targetKind = "local" }, cancellationToken))
        await EnsureAsync(put, cancellationToken);
    var at = i < count ? fireTimes[i] : warmupAt;
    var body = new JsonObject
    {
        ["environment"] = name,
        ["cron"] = FormattableString.Invariant($"{at.Second} {at.Minute} {at.Hour} {at.Day} {at.Month} ? {at.Year}"),
        ["timeZone"] = "UTC",
        ["misfire"] = "fire-once",
        ["action"] = "apply",
        ["spec"] = new JsonObject { ["model"] = new JsonObject { ["family"] = "llama-3", ["size"] = "tiny", ["source"] = "file:///models/bench" } },
    };
    using var post = await http.PostAsJsonAsync("api/schedules", body, cancellationToken);
    await EnsureAsync(post, cancellationToken);
});
Console.WriteLine(FormattableString.Invariant(
    $"{count} environments and schedules created in {setup.Elapsed.TotalSeconds:0.0} s; fire times {(spread ? "spread over" : "all at second 0 of")} {minute:HH:mm} UTC, {servers.Length} instances; {Warmup} warm-up fires at {warmupAt:HH:mm:ss} not counted"));

// Every fire is recorded by the minute's end plus the misfire threshold at the latest; stop as soon as all are in.
await using var dataSource = NpgsqlDataSource.Create(db);
var deadline = minute.AddSeconds(60 + 90);
long fires;
do
{
    await Task.Delay(TimeSpan.FromSeconds(2));
    await using var c = await dataSource.OpenConnectionAsync();
    fires = await c.ExecuteScalarAsync<long>(Measured("SELECT count(*) FROM schedule_fires f"));
}
while ((fires < count || DateTimeOffset.UtcNow < fireTimes[^1].AddSeconds(5)) && DateTimeOffset.UtcNow < deadline);
await Task.Delay(TimeSpan.FromSeconds(3)); // a duplicate fire, if clustering failed, would land now

await using var connection = await dataSource.OpenConnectionAsync();
var fireLateness = (await connection.QueryAsync<double>(
    Measured("SELECT extract(epoch FROM f.fired_at - f.fire_time)::float8 FROM schedule_fires f") + " ORDER BY 1")).ToList();
var runLateness = (await connection.QueryAsync<double>(
    Measured("SELECT extract(epoch FROM r.created_at - f.fire_time)::float8 FROM schedule_fires f JOIN runs r ON r.id = f.run_id") + " ORDER BY 1")).ToList();
var stats = await connection.QuerySingleAsync<(long Runs, long Schedules, long Started, long Duplicates, long Outcomes)>($"""
    SELECT (SELECT count(*) FROM runs WHERE trigger_kind = 'schedule' AND environment LIKE 'bench-%'),
           ({Measured("SELECT count(DISTINCT f.schedule_id) FROM schedule_fires f")} AND f.run_id IS NOT NULL),
           ({Measured("SELECT count(*) FROM schedule_fires f")} AND f.outcome = 'started'),
           ({Measured("SELECT coalesce(sum(f.duplicates), 0) FROM schedule_fires f")}),
           ({Measured("SELECT count(*) FROM schedule_fires f")} AND f.outcome <> 'started')
    """);

Console.WriteLine($"runs with trigger 'schedule': {stats.Runs} (expected exactly {count}: one per schedule and fire time); schedules that started a run: {stats.Schedules}; "
    + $"fires that started nothing: {stats.Outcomes}; duplicate fires refused: {stats.Duplicates}");
Print("fire lateness (schedule_fires.fired_at - fire time)", fireLateness);
Print("run lateness  (runs.created_at - fire time)     ", runLateness);
var p99 = runLateness.Count > 0 ? Percentile(runLateness, 0.99) : double.NaN;
Console.WriteLine(FormattableString.Invariant(
    $"run lateness p99 / target ({TargetP99Seconds:0} s) = {p99 / TargetP99Seconds:0.00}  ({(p99 <= TargetP99Seconds ? "meets" : "misses")} the target)"));
return stats.Runs == count && stats.Schedules == count ? 0 : 1;

// The fires of the measured schedules only (not the warm-up's): a query over schedule_fires f.
static string Measured(string query) =>
    query + " JOIN schedules s ON s.id = f.schedule_id WHERE s.environment LIKE 'bench-%'";

static void Print(string what, List<double> samples)
{
    if (samples.Count == 0)
    {
        Console.WriteLine($"{what}: no samples");
        return;
    }
    Console.WriteLine(FormattableString.Invariant(
        $"{what}: p50 {Percentile(samples, 0.50) * 1000:0} ms   p99 {Percentile(samples, 0.99) * 1000:0} ms   max {samples[^1] * 1000:0} ms   min {samples[0] * 1000:0} ms  ({samples.Count} samples)"));
}

static double Percentile(List<double> sorted, double p) => sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Count) - 1, 0, sorted.Count - 1)];

static async Task EnsureAsync(HttpResponseMessage response, CancellationToken cancellationToken)
{
    if (!response.IsSuccessStatusCode)
        throw new InvalidOperationException($"{response.RequestMessage?.Method} {response.RequestMessage?.RequestUri} answered {(int)response.StatusCode}: "
            + await response.Content.ReadAsStringAsync(cancellationToken));
}
