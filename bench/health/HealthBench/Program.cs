using System.Globalization;
using System.Net.Http.Headers;
using System.Net.NetworkInformation;
using HealthBench;
using Npgsql;

// Usage: HealthBench ROOT [ENVIRONMENTS] [MEASURE_SECONDS] [REPLICAS]   (run through bench/health/run.sh)
//        HealthBench engines PORTS_FILE                                  (the synthetic engines' child process)
// The real orchestrator and one real runner track ENVIRONMENTS served local environments every 10 s; their CPU and
// PostgreSQL's are read from /proc over MEASURE_SECONDS after every environment is watched. The environments are
// created through the API and made served by seeding what a rollout would leave (see Fleet).
if (args is ["engines", var childPorts]) return await SyntheticEngines.RunAsync(childPorts);

var root = args[0];
var count = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 1000;
var measureSeconds = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 180;
var replicas = args.Length > 3 ? int.Parse(args[3], CultureInfo.InvariantCulture) : 2;
if (replicas < 1 || count < 1 || measureSeconds < 60) throw new ArgumentException("at least 1 environment, 1 replica and 60 s of measuring");
const int IntervalSeconds = 10;
const int BaselineSeconds = 30;
const int WarmupSeconds = 30;
const int SettleSeconds = 20;
// The retention the extrapolation assumes, passed to the orchestrator so that both agree (HealthOptions' defaults).
const int RawRetentionHours = 24, MinuteRollupDays = 7, FiveMinuteRollupDays = 90;

var admin = Environment.GetEnvironmentVariable("ORCHESTRATOR_TEST_DB") ?? throw new InvalidOperationException("ORCHESTRATOR_TEST_DB is not set (run bench/health/run.sh)");
string Output(string project, string dll) => Path.Combine(root, "src", project, "bin", "Release", "net10.0", dll);
var orchestratorDll = Output("Orchestrator", "orchestrator.dll");
var dir = Directory.CreateTempSubdirectory("healthbench-").FullName;
var stateDir = Path.Combine(dir, "state");
var database = $"healthbench_{Guid.NewGuid():N}";
await using (var c = new NpgsqlConnection(admin))
{
    await c.OpenAsync();
    await using var create = new NpgsqlCommand($"CREATE DATABASE {database}", c);
    await create.ExecuteNonQueryAsync();
}
var connectionString = new NpgsqlConnectionStringBuilder(admin) { Database = database }.ConnectionString;
await using var db = NpgsqlDataSource.Create(connectionString);
var processes = new Processes(dir);
var keep = false;
try
{
    var fleet = Fleet.Allocate(count, replicas);
    var portsFile = Path.Combine(dir, "ports.txt");
    await File.WriteAllLinesAsync(portsFile, fleet.Ports.Select(p => p.ToString(CultureInfo.InvariantCulture)));
    var ready = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
    var engines = processes.Start("engines", ["dotnet", typeof(Fleet).Assembly.Location, "engines", portsFile], keepStdin: true,
        onLine: line => { if (line == "ready") ready.TrySetResult(); });
    await ready.Task.WaitAsync(TimeSpan.FromMinutes(3));

    var server = $"http://127.0.0.1:{FreePort()}";
    var settings = new Dictionary<string, string>
    {
        ["ORCHESTRATOR_DB"] = connectionString,
        ["Health__RawRetentionHours"] = $"{RawRetentionHours}",
        ["Health__MinuteRollupRetentionDays"] = $"{MinuteRollupDays}",
        ["Health__FiveMinuteRollupRetentionDays"] = $"{FiveMinuteRollupDays}",
    };
    var orchestrator = processes.Start("orchestrator", ["dotnet", orchestratorDll, "serve", "--urls", server], settings);
    using var api = new HttpClient { BaseAddress = new Uri(server + "/"), Timeout = TimeSpan.FromMinutes(1) };
    await WaitForAsync(async () => (await api.GetAsync("readyz")).IsSuccessStatusCode, TimeSpan.FromSeconds(90), "the orchestrator's /readyz");
    var dbOnly = new Dictionary<string, string> { ["ORCHESTRATOR_DB"] = connectionString };
    var userToken = await Processes.OutputOfAsync(["dotnet", orchestratorDll, "tokens", "create", "--name", "healthbench-user", "--kind", "user"], dbOnly);
    var registration = await Processes.OutputOfAsync(["dotnet", orchestratorDll, "tokens", "create", "--name", "healthbench-runner", "--kind", "registration"], dbOnly);
    api.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", userToken);
    await fleet.CreateAsync(api, IntervalSeconds);

    var runner = processes.Start("runner",
    [
        "dotnet", Output("Runner", "runner.dll"), "run", "--server", server, "--registration-token", registration, "--labels", "local",
        "--name", "healthbench", "--work-dir", Path.Combine(dir, "work"), "--state-dir", stateDir, "--engine", Output("EngineImage", "engine.dll"),
    ]);
    await WaitForAsync(async () => await ScalarAsync<long>(db, "SELECT count(*) FROM runners") == 1, TimeSpan.FromSeconds(60), "the runner's registration");
    var postmaster = await PostmasterAsync(db);
    var clock = new Clock(runner.Id, orchestrator.Id, postmaster, engines.Id);

    // Idle: the environments exist, nothing is served; the runner long-polls for steps and asks for watches every 3 s.
    // Measured after both have settled (start-up and JIT compilation are not the idle cost).
    await Task.Delay(TimeSpan.FromSeconds(SettleSeconds));
    var idleFrom = clock.Read();
    await Task.Delay(TimeSpan.FromSeconds(BaselineSeconds));
    var idle = clock.Read() - idleFrom;

    var servedAt = DateTimeOffset.UtcNow;
    await fleet.ServeAsync(db, stateDir, Path.Combine(dir, "artifacts"), engines.Id);
    await WaitForAsync(async () => await ScalarAsync<long>(db, "SELECT count(*) FROM health_watches WHERE runner_id IS NOT NULL AND expires_at > now()") == count,
        TimeSpan.FromMinutes(3), $"all {count} environments watched");
    var allWatched = DateTimeOffset.UtcNow - servedAt;
    await Task.Delay(TimeSpan.FromSeconds(WarmupSeconds));

    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"{count} environments x (front + {replicas} replicas) on one synthetic process, interval {IntervalSeconds} s; all watched {allWatched.TotalSeconds:0.0} s after being served; measuring {measureSeconds} s after {WarmupSeconds} s of warm-up"));
    Console.WriteLine($"pids: runner {runner.Id}, orchestrator {orchestrator.Id}, postmaster {postmaster?.ToString(CultureInfo.InvariantCulture) ?? "-"}, engines {engines.Id}; logs in {dir}");
    Console.WriteLine();
    Console.WriteLine("minute   watcher  orchestr.  postgres   (engines)  samples  samples+  rollups+    WAL");
    Console.WriteLine("           cpu s     cpu s     cpu s      cpu s     rows     bytes     bytes    bytes");
    var first = clock.Read();
    var firstStorage = await Storage.ReadAsync(db);
    var (lastCpu, lastStorage) = (first, firstStorage);
    for (var minute = 1; minute * 60 <= measureSeconds; minute++)
    {
        var wait = firstStorage.At.AddSeconds(minute * 60) - DateTimeOffset.UtcNow; // one machine, one clock
        if (wait > TimeSpan.Zero) await Task.Delay(wait);
        var (cpu, storage) = (clock.Read(), await Storage.ReadAsync(db));
        var d = cpu - lastCpu;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{minute,6} {d.Runner,9:0.00} {d.Orchestrator,9:0.00} {d.Postgres,9:0.00} {d.Engines,10:0.00} {storage.SampleRows - lastStorage.SampleRows,8} {Size(storage.SampleBytes - lastStorage.SampleBytes),9} {Size(storage.RollupBytes - lastStorage.RollupBytes),9} {Size((long)(storage.WalBytes - lastStorage.WalBytes)),8}"));
        (lastCpu, lastStorage) = (cpu, storage);
    }
    var total = lastCpu - first;
    var minutes = (lastStorage.At - firstStorage.At).TotalMinutes;
    await Task.Delay(TimeSpan.FromSeconds(5)); // the last batches of the window
    var probing = await Probing.ReadAsync(db, firstStorage.At, lastStorage.At);
    var exited = new[] { (runner, "runner"), (orchestrator, "orchestrator"), (engines, "engines") }.Where(p => p.Item1.HasExited).Select(p => p.Item2).ToList();
    await processes.DisposeAsync();
    if (exited.Count > 0 || probing.Samples < 0.95 * count * 60.0 / IntervalSeconds * minutes)
    {
        keep = true;
        Console.Error.WriteLine($"not valid: {probing.Samples} samples in {minutes:0.0} min (expected {count * 60.0 / IntervalSeconds * minutes:0}); exited: {string.Join(", ", exited)}; logs kept in {dir}");
        return 1;
    }
    var (sampleRowBytes, rollupRowBytes) = await Storage.CompactRowBytesAsync(db);

    Report.Print(new Report.Figures(count, replicas, IntervalSeconds, minutes, total, idle, BaselineSeconds, firstStorage, lastStorage, probing,
        sampleRowBytes, rollupRowBytes, RawRetentionHours, MinuteRollupDays, FiveMinuteRollupDays, postmaster is not null));
}
finally
{
    await processes.DisposeAsync();
    await db.DisposeAsync();
    await using (var c = new NpgsqlConnection(admin))
    {
        await c.OpenAsync();
        await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS {database} WITH (FORCE)", c);
        await drop.ExecuteNonQueryAsync();
    }
    if (!keep) Directory.Delete(dir, recursive: true);
}
return 0;

static string Size(long bytes) => Report.Size(bytes);

static async Task<T> ScalarAsync<T>(NpgsqlDataSource db, string sql)
{
    await using var command = db.CreateCommand(sql);
    return (T)(await command.ExecuteScalarAsync())!;
}

// The postmaster is the parent of our backend, when PostgreSQL runs on this machine and we may read its /proc.
static async Task<int?> PostmasterAsync(NpgsqlDataSource db)
{
    var backend = await ScalarAsync<int>(db, "SELECT pg_backend_pid()");
    return File.Exists($"/proc/{backend}/stat") ? ProcCpu.Parent(backend) : null;
}

static async Task WaitForAsync(Func<Task<bool>> condition, TimeSpan timeout, string what)
{
    var deadline = DateTime.UtcNow + timeout;
    while (true)
    {
        try
        {
            if (await condition()) return;
        }
        catch (HttpRequestException)
        {
            // Not listening yet.
        }
        if (DateTime.UtcNow > deadline) throw new TimeoutException($"{what}: not within {timeout}");
        await Task.Delay(500);
    }
}

static int FreePort()
{
    var used = IPGlobalProperties.GetIPGlobalProperties().GetActiveTcpListeners().Select(e => e.Port).ToHashSet();
    return Enumerable.Range(18000, 2000).First(p => !used.Contains(p));
}
