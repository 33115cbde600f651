using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.NetworkInformation;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Orchestrator.Auth;
using Orchestrator.Hosting;

// Usage: RollbackBench ROOT [N]. Prints, for N canaries of another model rolled back by a failing golden-prompt
// measurement: the time from that measurement to the front serving stable alone (p50, p99), and its parts.
var root = args[0];
var count = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 20;
var admin = Environment.GetEnvironmentVariable("ORCHESTRATOR_TEST_DB") ?? throw new InvalidOperationException("ORCHESTRATOR_TEST_DB is not set (run bench/rollback/run.sh)");
string Output(string project, string dll) => Path.Combine(root, "src", project, "bin", "Release", "net10.0", dll);
var engine = Output("EngineImage", "engine.dll");
var runnerDll = Output("Runner", "runner.dll");
var dir = Directory.CreateTempSubdirectory("rollbackbench-").FullName;

var database = $"rollbackbench_{Guid.NewGuid():N}";
await using (var c = new NpgsqlConnection(admin))
{
    await c.OpenAsync();
    await using var create = new NpgsqlCommand($"CREATE DATABASE {database}", c);
    await create.ExecuteNonQueryAsync();
}

var app = ServerHost.Build(ServerHost.CreateBuilder(
[
    "--urls", "http://127.0.0.1:0",
    "--db", new NpgsqlConnectionStringBuilder(admin) { Database = database }.ConnectionString,
    "--Logging:LogLevel:Default", "Warning",
]));
await ServerHost.StartAsync(app, CancellationToken.None);
var server = new Uri(app.Urls.First());
var tokens = app.Services.GetRequiredService<TokenStore>();
var userToken = await tokens.CreateAsync(TokenKinds.User, "bench", CancellationToken.None);
var registration = await tokens.CreateAsync(TokenKinds.Registration, "bench", CancellationToken.None);
using var user = new HttpClient { BaseAddress = server, Timeout = TimeSpan.FromMinutes(2) };
user.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", userToken);
using var plain = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };

await RunAsync("dotnet", engine, "make-test-model", "--family", "llama-3", "--size", "tiny", "--out", Path.Combine(dir, "stable-model"));
await RunAsync("dotnet", engine, "make-test-model", "--family", "llama-3", "--size", "tiny", "--seed", "7", "--out", Path.Combine(dir, "other-model"));
var runner = Process.Start(new ProcessStartInfo("dotnet",
[
    runnerDll, "run", "--server", server.ToString().TrimEnd('/'), "--registration-token", registration, "--labels", "local",
    "--name", "bench", "--work-dir", Path.Combine(dir, "runner"), "--state-dir", Path.Combine(dir, "state"), "--engine", engine,
])
{ RedirectStandardOutput = true, RedirectStandardError = true })!;
runner.OutputDataReceived += (_, _) => { };
runner.ErrorDataReceived += (_, _) => { };
runner.BeginOutputReadLine();
runner.BeginErrorReadLine();

var frontPort = FreePort();
var front = $"http://127.0.0.1:{frontPort}";
try
{
    var first = await ApplyAsync(Spec(Path.Combine(dir, "stable-model"), canary: false));
    if ((string?)first["status"] != "succeeded") throw new InvalidOperationException("the first rollout failed: " + first.ToJsonString());
    var stable = (string)first["revision"]!;

    var totals = new List<double>();
    var decide = new List<double>();
    var dispatch = new List<double>();
    var shift = new List<double>();
    for (var i = 0; i < count; i++)
    {
        using var stop = new CancellationTokenSource();
        var backOnStable = WatchFrontAsync(stable, stop.Token);
        var run = await ApplyAsync(Spec(Path.Combine(dir, "other-model"), canary: true));
        await stop.CancelAsync();
        var seen = await backOnStable;
        var analysis = Step(run, "canary.analyze");
        var rollback = Step(run, "revision.rollback");
        if ((string?)run["status"] != "failed" || (string?)rollback["status"] != "succeeded" || seen is null)
            throw new InvalidOperationException("the canary was not rolled back as expected: " + run.ToJsonString());
        var measured = FailingMeasurementAt(analysis);
        totals.Add((seen.Value - measured).TotalMilliseconds);
        decide.Add((Time(analysis, "finishedAt") - measured).TotalMilliseconds);
        dispatch.Add((Time(rollback, "startedAt") - Time(analysis, "finishedAt")).TotalMilliseconds);
        shift.Add((seen.Value - Time(rollback, "startedAt")).TotalMilliseconds);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"rollback {i + 1,2}: {totals[^1],7:0.0} ms from the failing measurement to stable alone"));
    }

    Console.WriteLine();
    Console.WriteLine($"machine: {Environment.ProcessorCount} cores, {Environment.OSVersion}, load average {File.ReadAllText("/proc/loadavg").Split(' ')[0]}");
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"failing measurement -> traffic fully back on stable, {count} rollbacks: p50 {Percentile(totals, 0.5):0} ms, p99 {Percentile(totals, 0.99):0} ms, max {totals.Max():0} ms (target p99 <= 2000 ms: {(Percentile(totals, 0.99) <= 2000 ? "met" : "not met")})"));
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"  measurement -> analysis step completed (runner decides, reports): p50 {Percentile(decide, 0.5):0} ms"));
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"  completed -> rollback step claimed (orchestrator marks, runner claims): p50 {Percentile(dispatch, 0.5):0} ms"));
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"  claimed -> the front serves stable alone (routes written, front reloads): p50 {Percentile(shift, 0.5):0} ms"));
}
finally
{
    runner.Kill(entireProcessTree: true);
    await runner.WaitForExitAsync();
    await KillEnginesAsync(dir);
    await app.StopAsync();
    await app.DisposeAsync();
}

return 0;

async Task<JsonNode> ApplyAsync(JsonObject spec)
{
    using var response = await user.PostAsJsonAsync("/api/rollouts", spec);
    var body = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
    if (!response.IsSuccessStatusCode) throw new InvalidOperationException("apply refused: " + body.ToJsonString());
    var id = (string)body["id"]!;
    var deadline = DateTime.UtcNow.AddMinutes(4);
    while (DateTime.UtcNow < deadline)
    {
        var run = JsonNode.Parse(await user.GetStringAsync($"/api/runs/{id}"))!;
        if ((string?)run["status"] is "succeeded" or "failed" or "cancelled") return run;
        await Task.Delay(200);
    }
    throw new TimeoutException($"run {id} did not end within 4 minutes");
}

// The first moment the front serves the stable revision alone after having served the canary.
async Task<DateTimeOffset?> WatchFrontAsync(string stableRevision, CancellationToken stop)
{
    var sawCanary = false;
    while (!stop.IsCancellationRequested)
    {
        try
        {
            var routes = JsonNode.Parse(await plain.GetStringAsync($"{front}/_front/routes", stop))!;
            var now = DateTimeOffset.UtcNow;
            var revisions = routes["revisions"]!.AsArray().Where(r => (int)r!["weight"]! > 0).Select(r => (string?)r!["revision"]).ToList();
            if (revisions.Any(r => r != stableRevision)) sawCanary = true;
            else if (sawCanary && revisions.SequenceEqual([stableRevision])) return now;
        }
        catch (Exception e) when (e is HttpRequestException or OperationCanceledException)
        {
            if (stop.IsCancellationRequested) break;
        }
        await Task.Delay(5, CancellationToken.None);
    }
    return null;
}

JsonObject Spec(string model, bool canary)
{
    var spec = new JsonObject
    {
        ["environment"] = "local",
        ["model"] = new JsonObject { ["family"] = "llama-3", ["size"] = "tiny", ["source"] = "file://" + model },
        ["engine"] = new JsonObject { ["replicas"] = 1, ["batchSize"] = 4, ["maxCacheLength"] = 256 },
        ["target"] = new JsonObject
        {
            ["kind"] = "local",
            ["local"] = new JsonObject { ["frontPort"] = frontPort, ["engineBasePort"] = 9400, ["artifactsDir"] = Path.Combine(dir, "artifacts") },
        },
    };
    if (canary)
        spec["strategy"] = JsonNode.Parse("""
            {"canary": {"steps": [
              {"weight": 50},
              {"analysis": {"metrics": [{"name": "golden", "source": "goldenPrompts", "measure": "exactMatch", "min": 0.9, "count": 1,
                                          "interval": "1s", "goldenPrompts": {"tokens": 8, "prompts": ["Hello", "Once upon a time", "1, 2, 3,"]}}]}}]}}
            """);
    return spec;
}

static JsonNode Step(JsonNode run, string name) => run["steps"]!.AsArray().Single(s => (string?)s!["name"] == name)!;

static DateTimeOffset Time(JsonNode node, string member) => DateTimeOffset.Parse((string)node[member]!, CultureInfo.InvariantCulture);

// The analysis' last failed measurement (outputs.analysis.metrics[].measurements[] with phase Failed).
static DateTimeOffset FailingMeasurementAt(JsonNode analysis) =>
    analysis["outputs"]!["analysis"]!["metrics"]!.AsArray()
        .SelectMany(m => m!["measurements"]!.AsArray())
        .Where(m => (string?)m!["phase"] == "Failed")
        .Select(m => Time(m!, "at"))
        .Max();

static double Percentile(List<double> values, double p)
{
    var sorted = values.Order().ToList();
    return sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Count) - 1, 0, sorted.Count - 1)];
}

static int FreePort()
{
    var used = IPGlobalProperties.GetIPGlobalProperties().GetActiveTcpListeners().Select(e => e.Port).ToHashSet();
    return Enumerable.Range(18000, 2000).First(p => !used.Contains(p));
}

static async Task RunAsync(string file, params string[] arguments)
{
    using var process = Process.Start(new ProcessStartInfo(file, arguments) { RedirectStandardOutput = true, RedirectStandardError = true })!;
    await process.WaitForExitAsync();
    if (process.ExitCode != 0) throw new InvalidOperationException($"{string.Join(' ', arguments)} failed: {await process.StandardError.ReadToEndAsync()}");
}

// Engines and the front are detached from the runner (they outlive it by design): stop those this bench started.
static async Task KillEnginesAsync(string dir)
{
    foreach (var proc in Directory.GetDirectories("/proc").Select(Path.GetFileName))
    {
        if (!int.TryParse(proc, out var pid)) continue;
        try
        {
            var cmdline = (await File.ReadAllTextAsync($"/proc/{pid}/cmdline")).Replace('\0', ' ');
            if (cmdline.Contains(dir, StringComparison.Ordinal)) Process.GetProcessById(pid).Kill(entireProcessTree: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or InvalidOperationException)
        {
            // Gone meanwhile.
        }
    }
}
