using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;

namespace TestSupport;

/// <summary>
/// One test's whole system, all real: a fresh database, the <c>orchestrator serve</c> process on a free port with
/// short leases, runner processes sharing one state directory, and the CLI. Everything lives under one private
/// directory; disposal kills every process that names it or that the runners recorded (engines, the front), even
/// when the test failed.
/// </summary>
public sealed class TestStack : IAsyncDisposable
{
    /// <summary>Short leases (and retry backoffs) so that a dead runner's step comes back in seconds, not half a minute.</summary>
    public const int LeaseSeconds = TestServer.LeaseSeconds;

    private readonly List<ManagedProcess> _processes = [];
    private readonly Dictionary<string, string> _serviceSettings;
    private int _orchestratorStarts;

    private TestStack(string dir, TestDatabase database, Dictionary<string, string> serviceSettings)
    {
        Dir = dir;
        Database = database;
        _serviceSettings = serviceSettings;
        Port = FreePort.Next();
        Server = new Uri($"http://127.0.0.1:{Port}/");
        Api = new HttpClient { BaseAddress = Server, Timeout = TimeSpan.FromSeconds(100) };
    }

    public string Dir { get; }
    public string StateDir => Path.Combine(Dir, "state");
    public string ArtifactsDir => Path.Combine(Dir, "artifacts");
    public TestDatabase Database { get; }
    public int Port { get; }
    public Uri Server { get; }
    public HttpClient Api { get; }
    public string UserToken { get; private set; } = "";
    public ManagedProcess? Orchestrator { get; private set; }

    /// <param name="serviceSettings">Settings of every orchestrator process, as environment variables (<c>Dispatch__X</c>).</param>
    /// <param name="adminConnectionString">The PostgreSQL to create the database on; null: <c>ORCHESTRATOR_TEST_DB</c>'s.</param>
    public static async Task<TestStack> StartAsync(IReadOnlyDictionary<string, string>? serviceSettings = null, string? adminConnectionString = null)
    {
        var dir = Path.Combine(Path.GetTempPath(), "e2e-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(dir);
        var settings = new Dictionary<string, string>
        {
            ["Dispatch__LeaseSeconds"] = LeaseSeconds.ToString(CultureInfo.InvariantCulture),
            ["Dispatch__RetryBackoffSeconds"] = "1",
        };
        foreach (var (key, value) in serviceSettings ?? new Dictionary<string, string>()) settings[key] = value;
        // Each service process gets its own pool: two instances and the CLI fit PostgreSQL's 100 connections.
        var database = new TestDatabase { MaxPoolSize = 30, Admin = adminConnectionString ?? TestDatabase.AdminConnectionString };
        await database.CreateAsync(migrate: false);
        var stack = new TestStack(dir, database, settings);
        try
        {
            await stack.StartOrchestratorAsync();
            stack.UserToken = await stack.CreateTokenAsync("user");
            stack.Api.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", stack.UserToken);
            return stack;
        }
        catch
        {
            await stack.DisposeAsync();
            throw;
        }
    }

    /// <summary>Starts (or, after a kill, starts again) <c>orchestrator serve</c> on this stack's port, or another
    /// instance on the same database on <paramref name="port"/> with its own <paramref name="settings"/>.</summary>
    public async Task<ManagedProcess> StartOrchestratorAsync(int? port = null, IReadOnlyDictionary<string, string>? settings = null)
    {
        var n = ++_orchestratorStarts;
        var env = new Dictionary<string, string>(_serviceSettings) { ["ORCHESTRATOR_DB"] = Database.ConnectionString };
        foreach (var (key, value) in settings ?? new Dictionary<string, string>()) env[key] = value;
        var url = new Uri($"http://127.0.0.1:{port ?? Port}/");
        var process = ManagedProcess.Start($"orchestrator#{n}", "dotnet",
            [RepoPaths.OrchestratorDll, "serve", "--urls", url.ToString().TrimEnd('/')], env, Path.Combine(Dir, $"orchestrator-{n}.log"));
        _processes.Add(process);
        if (port is null) Orchestrator = process;
        using var probe = new HttpClient { BaseAddress = url, Timeout = TimeSpan.FromSeconds(5) };
        await Eventually.Async(async () =>
        {
            if (process.HasExited) throw new InvalidOperationException($"orchestrator exited at start:\n{process.Tail()}");
            try
            {
                using var response = await probe.GetAsync("readyz");
                return response.IsSuccessStatusCode;
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                return false;
            }
        }, TimeSpan.FromSeconds(90), () => "orchestrator /readyz\n" + process.Tail());
        return process;
    }

    public async Task<string> CreateTokenAsync(string kind)
    {
        var result = await Commands.RunAsync("dotnet",
            [RepoPaths.OrchestratorDll, "tokens", "create", "--name", $"e2e-{kind}-{Guid.NewGuid():N}", "--kind", kind],
            new Dictionary<string, string?> { ["ORCHESTRATOR_DB"] = Database.ConnectionString }, TimeSpan.FromMinutes(1));
        if (result.ExitCode != 0) throw new InvalidOperationException($"tokens create failed: {result}");
        return result.Stdout.Trim();
    }

    /// <summary>A <c>runner run</c> process with its own work dir and the stack's shared state and engine.</summary>
    /// <param name="server">The orchestrator the runner talks to; null: this stack's first instance.</param>
    public async Task<ManagedProcess> StartRunnerAsync(string name, string? engine = null, IReadOnlyList<string>? arguments = null, Uri? server = null)
    {
        var registration = await CreateTokenAsync("registration");
        var workDir = Path.Combine(Dir, "runners", name);
        Directory.CreateDirectory(workDir);
        var process = ManagedProcess.Start($"runner {name}", "dotnet",
            [RepoPaths.RunnerDll, "run", "--server", (server ?? Server).ToString().TrimEnd('/'), "--registration-token", registration,
             "--labels", "local", "--name", name, "--work-dir", workDir, "--state-dir", StateDir, "--engine", engine ?? RepoPaths.EngineDll,
             "--drain-seconds", "2", "--child-stop-grace", "3", "--replica-stop-grace", "5", .. arguments ?? []],
            new Dictionary<string, string>(), Path.Combine(Dir, $"runner-{name}.log"));
        _processes.Add(process);
        return process;
    }

    /// <summary>Runs the real CLI as a process, pointed at this stack by environment variables.</summary>
    public Task<CommandResult> CliAsync(params string[] args) => CliRawAsync(new Dictionary<string, string?>
    {
        ["ORCHESTRATOR_URL"] = Server.ToString(),
        ["ORCHESTRATOR_TOKEN"] = UserToken,
        ["XDG_CONFIG_HOME"] = Path.Combine(Dir, "config"),
        ["XDG_DATA_HOME"] = Path.Combine(Dir, "data"),
    }, null, args);

    /// <summary>Runs the real CLI with exactly the given environment changes (null removes a variable).</summary>
    public static Task<CommandResult> CliRawAsync(IReadOnlyDictionary<string, string?> environment, string? stdin, params string[] args) =>
        Commands.RunAsync("dotnet", [RepoPaths.OrchestratorDll, .. args], environment, TimeSpan.FromMinutes(5), stdin);

    /// <summary>Writes a rollout of the tiny model to the <c>local</c> environment; ports and artifacts are private to this stack.</summary>
    /// <param name="source">The model source; <c>file://MODELDIR</c> when null.</param>
    /// <param name="tokenReference">The local target's <c>huggingFaceToken</c> reference, if any.</param>
    public string WriteRollout(
        string modelDir, int replicas, int frontPort, int engineBasePort, string? artifactsDir = null, string? source = null, string? tokenReference = null)
    {
        var path = Path.Combine(Dir, "rollout.yaml");
        File.WriteAllText(path, $"""
            environment: local
            model:
              family: llama-3
              size: tiny
              source: {source ?? $"file://{modelDir}"}
            engine:
              batchSize: 4
              maxCacheLength: 256
              replicas: {replicas}
            target:
              kind: local
              local:
                frontPort: {frontPort}
                engineBasePort: {engineBasePort}
                artifactsDir: {artifactsDir ?? ArtifactsDir}
                huggingFaceToken: "{tokenReference ?? ""}"
            """);
        return path;
    }

    public async Task<JsonNode> GetRunAsync(string id)
    {
        using var response = await Api.GetAsync($"api/runs/{id}");
        var body = await response.Content.ReadAsStringAsync();
        if (!response.IsSuccessStatusCode) throw new InvalidOperationException($"GET run {id}: {(int)response.StatusCode} {body}");
        return JsonNode.Parse(body)!;
    }

    /// <summary>Polls the run until <paramref name="until"/> holds; on timeout fails with the run and every process's output.</summary>
    public async Task<JsonNode> WaitForRunAsync(string id, Func<JsonNode, bool> until, TimeSpan timeout, string what)
    {
        JsonNode? last = null;
        await Eventually.Async(async () =>
        {
            try
            {
                last = await GetRunAsync(id);
            }
            catch (HttpRequestException)
            {
                return false; // the service may be restarting
            }
            return until(last);
        }, timeout, () => $"{what}\nrun: {last?.ToJsonString()}\n{Diagnostics()}");
        return last!;
    }

    public static JsonNode Step(JsonNode run, string name) =>
        run["steps"]!.AsArray().First(s => (string?)s!["name"] == name)!;

    public string Diagnostics()
    {
        var text = new StringBuilder();
        foreach (var process in _processes) text.AppendLine(process.Tail());
        return text.ToString();
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var process in _processes) await process.DisposeAsync();
        await ProcessJanitor.KillAllAsync(Dir, StateDir);
        Api.Dispose();
        await Database.DisposeAsync();
        try
        {
            Directory.Delete(Dir, recursive: true);
        }
        catch (IOException)
        {
            // A process we could not kill still writes there; the directory is in /tmp and private to this test.
        }
    }
}
