using Dapper;
using Npgsql;

namespace Orchestrator.Persistence;

/// <summary>
/// Applies <c>migrations/NNNN_*.sql</c> in order, each in its own transaction, recorded in <c>schema_migrations</c>.
/// A session-level advisory lock makes concurrent starts (two instances, or <c>migrate</c> beside <c>serve</c>) safe:
/// the second waits and then finds nothing left to do.
/// </summary>
public sealed class Migrator(NpgsqlDataSource dataSource)
{
    // Arbitrary but fixed: every orchestrator binary must use the same key.
    private const long LockKey = 0x6f72636865737472;

    public static string DefaultDirectory => Path.Combine(AppContext.BaseDirectory, "migrations");

    public static IReadOnlyList<(string Version, string Path)> Discover(string directory)
    {
        if (!Directory.Exists(directory))
            throw new InvalidOperationException($"Migrations folder '{directory}' does not exist.");
        return Directory.GetFiles(directory, "*.sql")
            .Select(path => (Version: System.IO.Path.GetFileNameWithoutExtension(path), Path: path))
            .OrderBy(m => m.Version, StringComparer.Ordinal)
            .ToList();
    }

    /// <summary>Returns the versions applied by this call (empty when the schema was already current).</summary>
    public async Task<IReadOnlyList<string>> MigrateAsync(CancellationToken cancellationToken)
    {
        var migrations = Discover(DefaultDirectory);
        var applied = new List<string>();
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition("SELECT pg_advisory_lock(@LockKey)", new { LockKey }, cancellationToken: cancellationToken));
        try
        {
            await connection.ExecuteAsync(new CommandDefinition("""
                CREATE TABLE IF NOT EXISTS schema_migrations (
                    version    text PRIMARY KEY,
                    applied_at timestamptz NOT NULL DEFAULT now())
                """, cancellationToken: cancellationToken));
            var done = (await connection.QueryAsync<string>(new CommandDefinition(
                "SELECT version FROM schema_migrations", cancellationToken: cancellationToken))).ToHashSet(StringComparer.Ordinal);
            foreach (var (version, path) in migrations)
            {
                if (done.Contains(version)) continue;
                var sql = await File.ReadAllTextAsync(path, cancellationToken);
                await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
                await connection.ExecuteAsync(new CommandDefinition(sql, transaction: transaction, cancellationToken: cancellationToken));
                await connection.ExecuteAsync(new CommandDefinition(
                    "INSERT INTO schema_migrations (version) VALUES (@version)", new { version }, transaction, cancellationToken: cancellationToken));
                await transaction.CommitAsync(cancellationToken);
                applied.Add(version);
            }
        }
        finally
        {
            await connection.ExecuteAsync(new CommandDefinition("SELECT pg_advisory_unlock(@LockKey)", new { LockKey }, cancellationToken: CancellationToken.None));
        }
        return applied;
    }

    /// <summary>True when every migration file is recorded as applied (for <c>/readyz</c>).</summary>
    public async Task<bool> IsCurrentAsync(CancellationToken cancellationToken)
    {
        var expected = Discover(DefaultDirectory).Select(m => m.Version).ToList();
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var exists = await connection.ExecuteScalarAsync<bool>(new CommandDefinition(
            "SELECT to_regclass('schema_migrations') IS NOT NULL", cancellationToken: cancellationToken));
        if (!exists) return false;
        var done = (await connection.QueryAsync<string>(new CommandDefinition(
            "SELECT version FROM schema_migrations", cancellationToken: cancellationToken))).ToHashSet(StringComparer.Ordinal);
        return expected.All(done.Contains);
    }
}
