using System.Data;
using Npgsql;

namespace Orchestrator.Persistence;

/// <summary>
/// Runs a unit of work in one transaction on the shared data source. Deadlocks and serialization failures are retried
/// from the start: the work must be a pure function of what it reads inside the transaction.
/// </summary>
public sealed class Database(NpgsqlDataSource dataSource)
{
    private const int MaxTries = 5;

    public NpgsqlDataSource DataSource => dataSource;

    public async Task<T> InTransactionAsync<T>(Func<NpgsqlConnection, NpgsqlTransaction, Task<T>> work, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
            await using var transaction = await connection.BeginTransactionAsync(IsolationLevel.ReadCommitted, cancellationToken);
            try
            {
                var result = await work(connection, transaction);
                await transaction.CommitAsync(cancellationToken);
                return result;
            }
            catch (PostgresException ex) when (attempt < MaxTries && ex.SqlState is PostgresErrorCodes.DeadlockDetected or PostgresErrorCodes.SerializationFailure)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(Random.Shared.Next(5, 50) * attempt), cancellationToken);
            }
        }
    }
}
