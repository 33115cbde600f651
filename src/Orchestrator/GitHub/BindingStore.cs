using Contracts.Specs;
using Dapper;
using Npgsql;
using Orchestrator.Rollouts;

namespace Orchestrator.GitHub;

/// <summary>Webhook bindings in <c>github_bindings</c>. Not found is a null; a repository has at most one binding.</summary>
public sealed class BindingStore(NpgsqlDataSource dataSource, TimeProvider time)
{
    private const string Columns = """
        id AS Id, repository AS Repository, staging_environment AS StagingEnvironment, prod_environment AS ProdEnvironment,
        actions AS Actions, on_removed AS OnRemoved, spec_path AS SpecPath, installation_id AS InstallationId,
        secret AS Secret, created_at AS CreatedAt, updated_at AS UpdatedAt
        """;

    public async Task<IReadOnlyList<BindingDto>> ListAsync(CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return [.. (await connection.QueryAsync<Row>(new CommandDefinition($"SELECT {Columns} FROM github_bindings ORDER BY repository",
            cancellationToken: cancellationToken))).Select(r => r.ToDto())];
    }

    public async Task<BindingDto?> GetAsync(Guid id, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var row = await connection.QuerySingleOrDefaultAsync<Row>(new CommandDefinition($"SELECT {Columns} FROM github_bindings WHERE id = @id",
            new { id }, cancellationToken: cancellationToken));
        return row?.ToDto();
    }

    public static async Task<BindingDto?> FindAsync(NpgsqlConnection connection, string repository, CancellationToken cancellationToken)
    {
        var row = await connection.QuerySingleOrDefaultAsync<Row>(new CommandDefinition($"SELECT {Columns} FROM github_bindings WHERE repository = @repository",
            new { repository = repository.ToLowerInvariant() }, cancellationToken: cancellationToken));
        return row?.ToDto();
    }

    /// <summary>Creates (<paramref name="id"/> null) or replaces a binding. Errors name the field: an unknown
    /// environment, or a repository that another binding has.</summary>
    public async Task<(BindingDto? Binding, ValidationErrors? Errors)> SaveAsync(Guid? id, BindingRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        // One transaction: the secret it names is key-share locked until the binding is written (see SecretStore.DeleteAsync).
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var errors = new ValidationErrors();
        foreach (var (field, name) in new[] { ("stagingEnvironment", request.StagingEnvironment), ("prodEnvironment", request.ProdEnvironment) })
        {
            if (name is null) continue;
            var exists = await connection.ExecuteScalarAsync<bool>(new CommandDefinition(
                "SELECT EXISTS (SELECT 1 FROM environments WHERE name = @name)", new { name }, transaction, cancellationToken: cancellationToken));
            if (!exists) errors.Add(field, $"Environment '{name}' does not exist (create it with PUT /api/environments/{{name}}).");
        }
        if (request.Secret is { } secret)
            foreach (var (field, message) in await Secrets.SecretStore.MissingAsync(connection, transaction, [("secret", SecretReference.NameOf(secret))], cancellationToken))
                errors.Add(field, message);
        if (!errors.IsEmpty) return (null, errors);

        var now = time.GetUtcNow();
        var values = new
        {
            id = id ?? Guid.NewGuid(), repository = request.Repository!.ToLowerInvariant(), staging = request.StagingEnvironment, prod = request.ProdEnvironment,
            actions = (request.Actions ?? Bindings.DefaultActions).Distinct().ToArray(), onRemoved = request.OnRemoved ?? Bindings.Nothing,
            specPath = request.SpecPath ?? Bindings.DefaultSpecPath, request.InstallationId, request.Secret, now,
        };
        try
        {
            var row = await connection.QuerySingleOrDefaultAsync<Row>(new CommandDefinition(id is null
                ? $"""
                  INSERT INTO github_bindings (id, repository, staging_environment, prod_environment, actions, on_removed, spec_path, installation_id, secret, created_at, updated_at)
                  VALUES (@id, @repository, @staging, @prod, @actions, @onRemoved, @specPath, @InstallationId, @Secret, @now, @now)
                  RETURNING {Columns}
                  """
                : $"""
                  UPDATE github_bindings SET repository = @repository, staging_environment = @staging, prod_environment = @prod, actions = @actions,
                      on_removed = @onRemoved, spec_path = @specPath, installation_id = @InstallationId, secret = @Secret, updated_at = @now
                  WHERE id = @id
                  RETURNING {Columns}
                  """, values, transaction, cancellationToken: cancellationToken));
            await transaction.CommitAsync(cancellationToken);
            return (row?.ToDto(), null);
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UniqueViolation)
        {
            errors.Add("repository", $"Repository '{values.repository}' has a binding already; change that one (PUT /api/webhooks/bindings/{{id}}).");
            return (null, errors);
        }
    }

    public async Task<bool> DeleteAsync(Guid id, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await connection.ExecuteAsync(new CommandDefinition("DELETE FROM github_bindings WHERE id = @id", new { id }, cancellationToken: cancellationToken)) == 1;
    }

    private sealed record Row
    {
        public Guid Id { get; init; }
        public string Repository { get; init; } = "";
        public string? StagingEnvironment { get; init; }
        public string? ProdEnvironment { get; init; }
        public string[] Actions { get; init; } = [];
        public string OnRemoved { get; init; } = "";
        public string SpecPath { get; init; } = "";
        public long? InstallationId { get; init; }
        public string? Secret { get; init; }
        public DateTime CreatedAt { get; init; }
        public DateTime UpdatedAt { get; init; }

        public BindingDto ToDto() => new()
        {
            Id = Id, Repository = Repository, StagingEnvironment = StagingEnvironment, ProdEnvironment = ProdEnvironment, Actions = Actions,
            OnRemoved = OnRemoved, SpecPath = SpecPath, InstallationId = InstallationId, Secret = Secret,
            CreatedAt = new DateTimeOffset(DateTime.SpecifyKind(CreatedAt, DateTimeKind.Utc)), UpdatedAt = new DateTimeOffset(DateTime.SpecifyKind(UpdatedAt, DateTimeKind.Utc)),
        };
    }
}
