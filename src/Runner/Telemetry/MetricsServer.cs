using Microsoft.Extensions.Hosting;
using Prometheus;

namespace Runner.Telemetry;

/// <summary>Serves <c>GET /metrics</c> on <c>--metrics-port</c> (every interface) with prometheus-net's own small Kestrel
/// server: the agent has no HTTP server of its own. A port in use fails the start, as a bad flag does.</summary>
internal sealed class MetricsServer(int port) : IHostedService, IDisposable
{
    private IMetricServer? _server;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _server = new KestrelMetricServer(new KestrelMetricServerOptions { Port = (ushort)port, Registry = RunnerMetrics.Registry }).Start();
        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_server is not null) await _server.StopAsync();
    }

    public void Dispose() => _server?.Dispose();
}
