using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Runner.Front;

/// <summary>
/// Keeps <see cref="FrontState"/> current: reloads <c>routes.json</c> when it changes (file watcher as a hint, a poll
/// every second as the source of truth) and asks every endpoint's <c>/healthcheck</c> each second. A failed pass is
/// logged and retried, never fatal.
/// </summary>
internal sealed partial class RouteTableWatcher(FrontState state, FrontOptions options, ILogger<RouteTableWatcher> logger)
    : BackgroundService
{
    private readonly SemaphoreSlim _changed = new(0);
    private readonly HttpClient _http = new(new SocketsHttpHandler { UseProxy = false, ConnectTimeout = TimeSpan.FromSeconds(1) })
    {
        Timeout = TimeSpan.FromSeconds(2),
    };

    private DateTime _loadedWriteTime;

    public string RoutesPath => Path.Combine(options.StateDir, options.Environment, "routes.json");

    /// <summary>Loads the table when the file changed since the last load.</summary>
    public void Reload()
    {
        var info = new FileInfo(RoutesPath);
        if (!info.Exists || info.LastWriteTimeUtc == _loadedWriteTime)
        {
            return;
        }

        if (RouteTable.Load(RoutesPath) is { } table && table.Version != state.Table.Version)
        {
            state.SetTable(table);
            Loaded(logger, table.Version, string.Join(", ", table.Revisions.Select(r => $"{r.Revision} {r.Weight}%")));
        }

        _loadedWriteTime = info.LastWriteTimeUtc;
    }

    public async Task CheckHealthAsync(CancellationToken cancellationToken)
    {
        var endpoints = state.Table.Revisions.SelectMany(r => r.Endpoints).Distinct(StringComparer.Ordinal).ToList();
        await Task.WhenAll(endpoints.Select(async endpoint =>
        {
            try
            {
                using var response = await _http.GetAsync($"{endpoint}/healthcheck", cancellationToken);
                state.SetHealth(endpoint, response.IsSuccessStatusCode);
            }
            catch (Exception e) when (e is HttpRequestException || (e is TaskCanceledException && !cancellationToken.IsCancellationRequested))
            {
                state.SetHealth(endpoint, false);
            }
        }));
    }

    public override void Dispose()
    {
        _http.Dispose();
        _changed.Dispose();
        base.Dispose();
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var dir = Path.GetDirectoryName(RoutesPath)!;
        Directory.CreateDirectory(dir);
        using var watcher = new FileSystemWatcher(dir, "routes.json") { EnableRaisingEvents = true };
        watcher.Changed += (_, _) => Signal();
        watcher.Created += (_, _) => Signal();
        watcher.Renamed += (_, _) => Signal();
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                Reload();
                await CheckHealthAsync(stoppingToken);
                await _changed.WaitAsync(TimeSpan.FromSeconds(1), stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is IOException or System.Text.Json.JsonException or UnauthorizedAccessException)
            {
                PassFailed(logger, e);
                await Task.Delay(TimeSpan.FromSeconds(1), stoppingToken);
            }
        }
    }

    private void Signal()
    {
        if (_changed.CurrentCount == 0)
        {
            _changed.Release();
        }
    }

    [LoggerMessage(LogLevel.Information, "Loaded routing table version {Version}: {Routes}")]
    private static partial void Loaded(ILogger logger, long version, string routes);

    [LoggerMessage(LogLevel.Warning, "Could not load the routing table; keeping the previous one")]
    private static partial void PassFailed(ILogger logger, Exception exception);
}
