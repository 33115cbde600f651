using Dapper;
using Npgsql;
using Orchestrator.Persistence;

namespace TestSupport;

/// <summary>
/// A fresh database on the test PostgreSQL (<c>ORCHESTRATOR_TEST_DB</c>, a superuser connection string that
/// scripts/test.sh exports), migrated with the real migrations when it is a fixture (<see cref="InitializeAsync"/>) or
/// left empty for a service under test to migrate (<see cref="CreateAsync"/> with <c>migrate: false</c>). Dropped on
/// dispose.
/// </summary>
public sealed class TestDatabase : IAsyncLifetime
{
    private NpgsqlDataSource? _dataSource;

    public string Name { get; } = $"test_{Guid.NewGuid():N}";

    /// <summary>The pool size written into <see cref="ConnectionString"/>: each process or host that uses the
    /// connection string gets its own pool of this size, and PostgreSQL's 100 connections are shared by them all.</summary>
    public int MaxPoolSize { get; init; } = 60;

    public string ConnectionString { get; private set; } = "";
    public NpgsqlDataSource DataSource => _dataSource ?? throw new InvalidOperationException("Not initialised.");

    /// <summary>A superuser connection string of the PostgreSQL to create the database on: <see cref="AdminConnectionString"/>
    /// unless a test runs its own cluster.</summary>
    public string Admin { get; init; } = AdminConnectionString;

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
        await using (var admin = new NpgsqlConnection(Admin))
        {
            await admin.OpenAsync();
            await admin.ExecuteAsync($"CREATE DATABASE \"{Name}\"");
        }
        ConnectionString = new NpgsqlConnectionStringBuilder(Admin) { Database = Name, MaxPoolSize = MaxPoolSize }.ConnectionString;
        _dataSource = NpgsqlDataSource.Create(ConnectionString);
        if (migrate) await new Migrator(_dataSource).MigrateAsync(CancellationToken.None);
    }

    public async Task DisposeAsync()
    {
        if (_dataSource is not null) await _dataSource.DisposeAsync();
        NpgsqlConnection.ClearAllPools();
        await using var admin = new NpgsqlConnection(Admin);
        await admin.OpenAsync();
        await admin.ExecuteAsync($"DROP DATABASE IF EXISTS \"{Name}\" WITH (FORCE)");
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
