using Npgsql;
using Orchestrator.Auth;

namespace Orchestrator.Dispatch;

/// <summary>
/// Holds this instance's one LISTEN connection and turns notifications into <see cref="ReadySignal"/> pulses (steps
/// ready) and <see cref="TokenStore.Forget"/> calls (a token may have stopped working).
/// A lost connection is logged and reopened after a pause; claims keep polling meanwhile.
/// </summary>
public sealed partial class ReadyListener(NpgsqlDataSource dataSource, ReadySignal signal, TokenStore tokens, TimeProvider time, ILogger<ReadyListener> logger)
    : BackgroundService
{
    public const string Channel = "orchestrator_steps_ready";

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            NpgsqlConnection? connection = null;
            try
            {
                connection = await dataSource.OpenConnectionAsync(stoppingToken);
                connection.Notification += (_, e) =>
                {
                    if (e.Channel == TokenStore.Channel) tokens.Forget();
                    else signal.Pulse();
                };
                await using (var listen = new NpgsqlCommand($"LISTEN {Channel}; LISTEN {TokenStore.Channel}", connection))
                    await listen.ExecuteNonQueryAsync(stoppingToken);
                // Whatever was notified while we were not listening is found by this pulse's re-check, and no token
                // lookup remembered from before is trusted.
                tokens.Forget();
                signal.Pulse();
                while (!stoppingToken.IsCancellationRequested)
                {
                    // A quiet connection is pinged now and then, so that one that died silently is noticed and reopened.
                    if (await connection.WaitAsync(TimeSpan.FromSeconds(30), stoppingToken)) continue;
                    await using var ping = new NpgsqlCommand("SELECT 1", connection);
                    await ping.ExecuteScalarAsync(stoppingToken);
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex) when (ex is NpgsqlException or InvalidOperationException or TimeoutException)
            {
                LogListenFailed(ex);
                await Task.Delay(TimeSpan.FromSeconds(2), time, stoppingToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }
            finally
            {
                if (connection is not null) await ReleaseAsync(connection);
            }
        }
    }

    /// <summary>Pooled connections are not reset when returned (<c>No Reset On Close</c>): one still open goes back to
    /// the pool without its LISTENs, or its next user would be sent our notifications.</summary>
    private static async Task ReleaseAsync(NpgsqlConnection connection)
    {
        if (connection.State == System.Data.ConnectionState.Open)
        {
            try
            {
                await using var unlisten = new NpgsqlCommand("UNLISTEN *", connection);
                await unlisten.ExecuteNonQueryAsync(CancellationToken.None);
            }
            catch (Exception ex) when (ex is NpgsqlException or InvalidOperationException or TimeoutException)
            {
                // A broken connection is not pooled again anyway.
            }
        }
        await connection.DisposeAsync();
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "LISTEN connection lost; reconnecting (claims keep polling meanwhile)")]
    private partial void LogListenFailed(Exception exception);
}
