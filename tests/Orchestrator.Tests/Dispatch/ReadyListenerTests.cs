using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using Orchestrator.Auth;
using Orchestrator.Dispatch;
using Orchestrator.Tests.Infrastructure;

namespace Orchestrator.Tests.Dispatch;

public sealed class ReadyListenerTests(TestDatabase database) : IClassFixture<TestDatabase>
{
    [Fact]
    public async Task Stop_HandsItsConnectionBackToThePoolWithoutItsListens()
    {
        // One pooled connection, not reset when returned (as the service runs): the next user gets the listener's.
        var builder = new NpgsqlConnectionStringBuilder(database.ConnectionString) { MaxPoolSize = 1, NoResetOnClose = true };
        await using var dataSource = NpgsqlDataSource.Create(builder.ConnectionString);
        var signal = new ReadySignal();
        var tokens = new TokenStore(dataSource, TimeProvider.System);
        using var listener = new ReadyListener(dataSource, signal, tokens, TimeProvider.System, NullLogger<ReadyListener>.Instance);

        var woken = signal.Next;
        await listener.StartAsync(CancellationToken.None);
        await woken.WaitAsync(TimeSpan.FromSeconds(10)); // pulsed once listening
        await listener.StopAsync(CancellationToken.None);

        await using var connection = await dataSource.OpenConnectionAsync();
        await using var channels = new NpgsqlCommand("SELECT count(*) FROM pg_listening_channels()", connection);
        Assert.Equal(0L, await channels.ExecuteScalarAsync());
    }
}
