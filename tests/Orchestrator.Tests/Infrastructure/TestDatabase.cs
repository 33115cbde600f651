using Dapper;
using Npgsql;
using Orchestrator.Persistence;

namespace Orchestrator.Tests.Infrastructure;

/// <summary>
/// A fresh database per test class, created from <c>ORCHESTRATOR_TEST_DB</c> (a superuser connection string that
/// scripts/test.sh exports) and migrated with the real migrations. Dropped afterwards.
/// </summary>
public sealed class TestDatabase : IAsyncLifetime
{
    private readonly string _name = $"orch_test_{Guid.NewGuid():N}";
    private NpgsqlDataSource? _dataSource;

    public string ConnectionString { get; private set; } = "";
    public NpgsqlDataSource DataSource => _dataSource ?? throw new InvalidOperationException("Not initialised.");

    public static string AdminConnectionString =>
        Environment.GetEnvironmentVariable("ORCHESTRATOR_TEST_DB") is { Length: > 0 } value
            ? value
            : throw new InvalidOperationException("ORCHESTRATOR_TEST_DB is not set: run the tests through scripts/test.sh, or export a superuser connection string.");

    public async Task InitializeAsync()
    {
        await CreateAsync(migrate: true);
    }

    /// <summary>Creates the database; <paramref name="migrate"/> false leaves it empty (for the migration tests).</summary>
    public async Task CreateAsync(bool migrate)
    {
        await using (var admin = new NpgsqlConnection(AdminConnectionString))
        {
            await admin.OpenAsync();
            await admin.ExecuteAsync($"CREATE DATABASE {_name}");
        }
        ConnectionString = new NpgsqlConnectionStringBuilder(AdminConnectionString) { Database = _name, MaxPoolSize = 60 }.ConnectionString;
        _dataSource = NpgsqlDataSource.Create(ConnectionString);
        if (migrate) await new Migrator(_dataSource).MigrateAsync(CancellationToken.None);
    }

    public async Task DisposeAsync()
    {
        if (_dataSource is not null) await _dataSource.DisposeAsync();
        NpgsqlConnection.ClearAllPools();
        await using var admin = new NpgsqlConnection(AdminConnectionString);
        await admin.OpenAsync();
        await admin.ExecuteAsync($"DROP DATABASE IF EXISTS {_name} WITH (FORCE)");
    }

    public async Task<T> ScalarAsync<T>(string sql, object? parameters = null)
    {
        await using var connection = await DataSource.OpenConnectionAsync();
        return (await connection.ExecuteScalarAsync<T>(sql, parameters))!;
    }

    public async Task<T> QuerySingleAsync<T>(string sql, object? parameters = null)
    {
        await using var connection = await DataSource.OpenConnectionAsync();
        return await connection.QuerySingleAsync<T>(sql, parameters);
    }

    public async Task<IReadOnlyList<T>> QueryAsync<T>(string sql, object? parameters = null)
    {
        await using var connection = await DataSource.OpenConnectionAsync();
        return [.. await connection.QueryAsync<T>(sql, parameters)];
    }

    public async Task ExecuteAsync(string sql, object? parameters = null)
    {
        await using var connection = await DataSource.OpenConnectionAsync();
        await connection.ExecuteAsync(sql, parameters);
    }
}
