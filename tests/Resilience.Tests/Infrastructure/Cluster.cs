using System.Globalization;

namespace Resilience.Tests.Infrastructure;

/// <summary>
/// A <see cref="TestStack"/> grown to several <c>orchestrator serve</c> instances on one database, each on its own
/// port, and runners spread over them. An instance can be SIGKILLed and started again on the same port. Every client
/// the suite uses counts its 5xx answers in <see cref="Errors"/>.
/// </summary>
public sealed class Cluster : IAsyncDisposable
{
    private readonly List<Instance> _instances = [];
    private int _runners;

    private Cluster(TestStack stack)
    {
        Stack = stack;
    }

    public TestStack Stack { get; }
    public ServerErrorCounter Errors { get; } = new();
    public IReadOnlyList<Instance> Instances => _instances;
    public TestDatabase Database => Stack.Database;

    public sealed class Instance(int? port, Uri url)
    {
        /// <summary>Null for the stack's own first instance (it restarts through <see cref="TestStack.StartOrchestratorAsync"/>
        /// without a port).</summary>
        public int? Port { get; } = port;
        public Uri Url { get; } = url;
        public ManagedProcess Process { get; set; } = null!;
    }

    public static async Task<Cluster> StartAsync(int instances, IReadOnlyDictionary<string, string>? settings = null, string? adminConnectionString = null)
    {
        var stack = await TestStack.StartAsync(settings, adminConnectionString);
        var cluster = new Cluster(stack);
        try
        {
            cluster._instances.Add(new Instance(null, stack.Server) { Process = stack.Orchestrator! });
            for (var i = 1; i < instances; i++)
            {
                var port = FreePort.Next();
                var instance = new Instance(port, new Uri($"http://127.0.0.1:{port}/"));
                instance.Process = await stack.StartOrchestratorAsync(port);
                cluster._instances.Add(instance);
            }
            return cluster;
        }
        catch
        {
            await stack.DisposeAsync();
            throw;
        }
    }

    /// <summary>Runners named <c>rN</c>, spread round-robin over the instances.</summary>
    public async Task StartRunnersAsync(int count, string? engine = null)
    {
        for (var i = 0; i < count; i++)
        {
            var n = _runners++;
            await Stack.StartRunnerAsync("r" + n.ToString(CultureInfo.InvariantCulture), engine, server: _instances[n % _instances.Count].Url);
        }
    }

    public HttpClient Api(int instance = 0) => Errors.Client(_instances[instance].Url, Stack.UserToken);

    public async Task KillAsync(Instance instance) => await instance.Process.KillAsync();

    public async Task RestartAsync(Instance instance) =>
        instance.Process = await Stack.StartOrchestratorAsync(instance.Port);

    /// <summary>Reads the run list from every instance every 200 ms until <paramref name="stop"/>, as a dashboard would:
    /// an instance that is down refuses connections (not counted); one that is up must never answer 5xx.</summary>
    public async Task PollAsync(CancellationToken stop)
    {
        var clients = _instances.Select(i => Errors.Client(i.Url, Stack.UserToken, TimeSpan.FromSeconds(30))).ToList();
        try
        {
            while (!stop.IsCancellationRequested)
            {
                foreach (var client in clients)
                {
                    try
                    {
                        using var response = await client.GetAsync("api/runs?limit=20", stop);
                    }
                    catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
                    {
                        // Down or restarting: not an answer.
                    }
                }
                try
                {
                    await Task.Delay(200, stop);
                }
                catch (OperationCanceledException)
                {
                    break;
                }
            }
        }
        finally
        {
            foreach (var client in clients) client.Dispose();
        }
    }

    public string Diagnostics() => Stack.Diagnostics();

    public ValueTask DisposeAsync() => Stack.DisposeAsync();
}
