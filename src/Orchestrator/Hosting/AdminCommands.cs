using Npgsql;
using Orchestrator.Auth;
using Orchestrator.Persistence;

namespace Orchestrator.Hosting;

/// <summary>
/// <c>migrate</c> and <c>tokens create|list|revoke</c> (when <see cref="UsesDatabase"/>): run against the database directly, no service needed. stdout carries only
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

    /// <summary>Whether <c>tokens …</c> runs against the database: <c>--db</c> is given, or a database is configured and
    /// no server is (<c>--server</c>, <c>ORCHESTRATOR_URL</c>).</summary>
    public static bool UsesDatabase(string[] args)
    {
        ArgumentNullException.ThrowIfNull(args);
        if (OrchestratorConfiguration.Flag(args, "--db") is not null) return true;
        if (OrchestratorConfiguration.Flag(args, "--server") is not null || Environment.GetEnvironmentVariable("ORCHESTRATOR_URL") is { Length: > 0 }) return false;
        return !string.IsNullOrEmpty(Configuration(args)["Database:ConnectionString"]);
    }

    public static async Task<int> CreateTokenAsync(string[] args)
    {
        var kind = OrchestratorConfiguration.Flag(args, "--kind") ?? TokenKinds.User;
        // Against the database a user token is an admin unless told otherwise: this is how the first admin is made.
        var request = Cli.TokenCommands.Request(OrchestratorConfiguration.Flag(args, "--name"), kind,
            OrchestratorConfiguration.Flag(args, "--role") ?? (kind == TokenKinds.User ? Roles.Admin : null),
            OrchestratorConfiguration.Flag(args, "--environments"), OrchestratorConfiguration.Flag(args, "--expires"));
        var grant = TokenGrantValidator.Validate(request, "database", DateTimeOffset.UtcNow, out var errors);
        if (grant is null)
        {
            foreach (var (field, messages) in errors.ToDictionary()) await Console.Error.WriteLineAsync($"--{Flag(field)}: {messages[0]}");
            await Console.Error.WriteLineAsync("usage: orchestrator tokens create --name NAME [--kind user|registration] [--role viewer|operator|admin] [--environments a,b] [--expires 30d] [--db CONNECTION]");
            return 2;
        }
        await using var dataSource = OpenDataSource(args);
        if (dataSource is null) return 2;
        await new Migrator(dataSource).MigrateAsync(CancellationToken.None);
        var issued = await new TokenStore(dataSource, TimeProvider.System).CreateAsync(grant, CancellationToken.None);
        Console.Out.WriteLine(issued.Token);
        await Console.Error.WriteLineAsync($"token {issued.Id} ({grant.Name}, {grant.Role ?? grant.Kind}): shown once, keep it now");
        return 0;
    }

    public static async Task<int> ListTokensAsync(string[] args)
    {
        await using var dataSource = OpenDataSource(args);
        if (dataSource is null) return 2;
        await new Migrator(dataSource).MigrateAsync(CancellationToken.None);
        var tokens = await new TokenAdministration(dataSource, TimeProvider.System).ListAsync(args.Contains("--all"), CancellationToken.None);
        var table = new Cli.TableView("ID", "NAME", "KIND", "ROLE", "ENVIRONMENTS", "EXPIRES", "STATE", "CREATED BY");
        foreach (var t in tokens)
            table.Add(t.Id.ToString(), t.Name, t.Kind, t.Role ?? "-", t.Environments is { } e ? string.Join(",", e) : "all",
                t.ExpiresAt?.ToString("O", System.Globalization.CultureInfo.InvariantCulture) ?? "-", t.State, t.CreatedBy ?? "-");
        Console.Out.WriteLine(table.ToString());
        return 0;
    }

    public static async Task<int> RevokeTokenAsync(string[] args)
    {
        var id = args.FirstOrDefault(a => Guid.TryParse(a, out _));
        if (id is null || !args.Contains("--yes"))
        {
            await Console.Error.WriteLineAsync("usage: orchestrator tokens revoke ID --yes [--db CONNECTION]");
            return 2;
        }
        await using var dataSource = OpenDataSource(args);
        if (dataSource is null) return 2;
        await new Migrator(dataSource).MigrateAsync(CancellationToken.None);
        var revoked = await new TokenAdministration(dataSource, TimeProvider.System).RevokeAsync(Guid.Parse(id), CancellationToken.None);
        if (revoked is null)
        {
            await Console.Error.WriteLineAsync($"There is no user or registration token {id}.");
            return 1;
        }
        Console.Out.WriteLine($"token {id} ({revoked.Name}) revoked");
        return 0;
    }

    private static string Flag(string field) => field switch
    {
        "expiresIn" => "expires",
        var f when f.StartsWith("environments", StringComparison.Ordinal) => "environments",
        var f => f,
    };

    private static IConfiguration Configuration(string[] args) => new ConfigurationBuilder()
        .AddJsonFile("appsettings.json", optional: true)
        .AddEnvironmentVariables()
        .AddOrchestratorSources(args)
        .Build();

    private static NpgsqlDataSource? OpenDataSource(string[] args)
    {
        var connectionString = Configuration(args)["Database:ConnectionString"];
        if (string.IsNullOrEmpty(connectionString))
        {
            Console.Error.WriteLine("No database configured: pass --db, set ORCHESTRATOR_DB or Database:ConnectionString.");
            return null;
        }
        return NpgsqlDataSource.Create(connectionString);
    }
}
