using Npgsql;
using Orchestrator.Auth;
using Orchestrator.Persistence;

namespace Orchestrator.Hosting;

/// <summary>
/// <c>migrate</c> and <c>tokens create</c>: run against the database directly, no service needed. stdout carries only
/// the result (the token), so that scripts can capture it.
/// </summary>
public static class AdminCommands
{
    public static async Task<int> MigrateAsync(string[] args)
    {
        await using var dataSource = OpenDataSource(args);
        if (dataSource is null) return 2;
        var applied = await new Migrator(dataSource).MigrateAsync(CancellationToken.None);
        await Console.Error.WriteLineAsync(applied.Count == 0 ? "Schema is current." : $"Applied: {string.Join(", ", applied)}");
        return 0;
    }

    public static async Task<int> CreateTokenAsync(string[] args)
    {
        var name = OrchestratorConfiguration.Flag(args, "--name");
        var kind = OrchestratorConfiguration.Flag(args, "--kind") ?? TokenKinds.User;
        if (string.IsNullOrWhiteSpace(name) || kind is not (TokenKinds.User or TokenKinds.Registration))
        {
            await Console.Error.WriteLineAsync("usage: orchestrator tokens create --name NAME [--kind user|registration] [--db CONNECTION]");
            return 2;
        }
        await using var dataSource = OpenDataSource(args);
        if (dataSource is null) return 2;
        await new Migrator(dataSource).MigrateAsync(CancellationToken.None);
        var token = await new TokenStore(dataSource, TimeProvider.System).CreateAsync(kind, name, CancellationToken.None);
        Console.Out.WriteLine(token);
        return 0;
    }

    private static NpgsqlDataSource? OpenDataSource(string[] args)
    {
        var configuration = new ConfigurationBuilder()
            .AddJsonFile("appsettings.json", optional: true)
            .AddEnvironmentVariables()
            .AddOrchestratorSources(args);
        var connectionString = configuration.Build()["Database:ConnectionString"];
        if (string.IsNullOrEmpty(connectionString))
        {
            Console.Error.WriteLine("No database configured: pass --db, set ORCHESTRATOR_DB or Database:ConnectionString.");
            return null;
        }
        return NpgsqlDataSource.Create(connectionString);
    }
}
