using Npgsql;

namespace EndToEnd.Tests.Infrastructure;

/// <summary>A fresh, empty database on the test PostgreSQL (<c>ORCHESTRATOR_TEST_DB</c>, set by scripts/test.sh);
/// the service under test applies the real migrations to it. Dropped on dispose.</summary>
internal sealed class TestDatabase : IAsyncDisposable
{
    private readonly string _admin;

    private TestDatabase(string admin, string name, string connectionString)
    {
        _admin = admin;
        Name = name;
        ConnectionString = connectionString;
    }

    public string Name { get; }
    public string ConnectionString { get; }

    public static async Task<TestDatabase> CreateAsync()
    {
        var admin = Environment.GetEnvironmentVariable("ORCHESTRATOR_TEST_DB");
        if (string.IsNullOrEmpty(admin))
            throw new InvalidOperationException("ORCHESTRATOR_TEST_DB is not set: run the tests with scripts/test.sh (it starts PostgreSQL)");
        var name = "e2e_" + Guid.NewGuid().ToString("N")[..16];
        await using (var connection = new NpgsqlConnection(admin))
        {
            await connection.OpenAsync();
            await using var create = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", connection);
            await create.ExecuteNonQueryAsync();
        }
        var builder = new NpgsqlConnectionStringBuilder(admin) { Database = name, MaxPoolSize = 30 };
        return new TestDatabase(admin, name, builder.ConnectionString);
    }

    public async ValueTask DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        await using var connection = new NpgsqlConnection(_admin);
        await connection.OpenAsync();
        await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{Name}\" WITH (FORCE)", connection);
        await drop.ExecuteNonQueryAsync();
    }
}
