using Contracts.Specs;
using Dapper;
using Npgsql;
using Orchestrator.Persistence;

namespace Orchestrator.Secrets;

/// <summary>
/// Secrets in PostgreSQL, each value encrypted by <see cref="SecretProtector"/>. Only <see cref="RevealAsync"/> decrypts,
/// and only the step claim calls it; everything else reads names and history.
/// </summary>
public sealed class SecretStore(Database database, SecretProtector protector, TimeProvider time)
{
    private const string Columns = "name AS Name, created_at AS CreatedAt, created_by AS CreatedBy, updated_at AS UpdatedAt, updated_by AS UpdatedBy";

    /// <summary>Creates or replaces the secret's value; <c>Created</c> tells which.</summary>
    public async Task<(SecretDto Secret, bool Created)> SetAsync(string name, string value, string actor, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        await using var connection = await database.DataSource.OpenConnectionAsync(cancellationToken);
        var row = await connection.QuerySingleAsync<Row>(new CommandDefinition($"""
            INSERT INTO secrets (name, protected_value, created_at, created_by, updated_at, updated_by)
            VALUES (@name, @protectedValue, @now, @actor, @now, @actor)
            ON CONFLICT (name) DO UPDATE SET protected_value = EXCLUDED.protected_value, updated_at = EXCLUDED.updated_at, updated_by = EXCLUDED.updated_by
            RETURNING {Columns}, (xmax = 0) AS Created
            """, new { name, protectedValue = protector.Protect(name, value), now, actor }, cancellationToken: cancellationToken));
        return (row.ToDto(), row.Created);
    }

    public async Task<IReadOnlyList<SecretDto>> ListAsync(CancellationToken cancellationToken)
    {
        await using var connection = await database.DataSource.OpenConnectionAsync(cancellationToken);
        var rows = await connection.QueryAsync<Row>(new CommandDefinition(
            $"SELECT {Columns}, false AS Created FROM secrets ORDER BY name", cancellationToken: cancellationToken));
        return rows.Select(r => r.ToDto()).ToList();
    }

    /// <summary>Deletes the secret unless something still refers to it (see <see cref="SecretUsers"/>). The row is
    /// locked first, so a rollout that names it and commits meanwhile is seen (it holds a key-share lock on the row).</summary>
    public Task<SecretDeletion> DeleteAsync(string name, CancellationToken cancellationToken) =>
        database.InTransactionAsync(async (connection, transaction) =>
        {
            var present = await connection.ExecuteScalarAsync<string?>(new CommandDefinition(
                "SELECT name FROM secrets WHERE name = @name FOR UPDATE", new { name }, transaction, cancellationToken: cancellationToken));
            if (present is null) return SecretDeletion.Missing;
            var users = await SecretUsers.FindAsync(connection, transaction, name, cancellationToken);
            if (users.Count > 0) return SecretDeletion.InUse(users);
            await connection.ExecuteAsync(new CommandDefinition(
                "DELETE FROM secrets WHERE name = @name", new { name }, transaction, cancellationToken: cancellationToken));
            return SecretDeletion.Done;
        }, cancellationToken);

    /// <summary>The values of the named secrets that exist, keyed by name. For the step claim only.</summary>
    public async Task<IReadOnlyDictionary<string, string>> RevealAsync(IReadOnlyCollection<string> names, CancellationToken cancellationToken)
    {
        if (names.Count == 0) return new Dictionary<string, string>();
        await using var connection = await database.DataSource.OpenConnectionAsync(cancellationToken);
        var rows = await connection.QueryAsync<(string Name, string ProtectedValue)>(new CommandDefinition(
            "SELECT name, protected_value FROM secrets WHERE name = ANY(@names)", new { names = names.ToArray() }, cancellationToken: cancellationToken));
        return rows.ToDictionary(r => r.Name, r => protector.Unprotect(r.Name, r.ProtectedValue), StringComparer.Ordinal);
    }

    /// <summary>The fields whose <c>secret://NAME</c> names no stored secret, each with its message; the ones that exist
    /// are key-share locked until the transaction ends, so they cannot be deleted under a rollout that is being written.</summary>
    public static async Task<IReadOnlyList<(string Field, string Message)>> MissingAsync(
        NpgsqlConnection connection, NpgsqlTransaction? transaction, IReadOnlyList<(string Field, string Name)> references, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentNullException.ThrowIfNull(references);
        if (references.Count == 0) return [];
        var names = references.Select(r => r.Name).Distinct(StringComparer.Ordinal).ToArray();
        var sql = transaction is null ? "SELECT name FROM secrets WHERE name = ANY(@names)" : "SELECT name FROM secrets WHERE name = ANY(@names) FOR KEY SHARE";
        var found = (await connection.QueryAsync<string>(new CommandDefinition(sql, new { names }, transaction, cancellationToken: cancellationToken)))
            .ToHashSet(StringComparer.Ordinal);
        return references.Where(r => !found.Contains(r.Name))
            .Select(r => (r.Field, $"No secret '{r.Name}' is stored: create it with 'orchestrator secrets set {r.Name}' (PUT /api/secrets/{r.Name}), or fix the name."))
            .ToList();
    }

    private sealed record Row
    {
        public string Name { get; init; } = "";
        public DateTimeOffset CreatedAt { get; init; }
        public string CreatedBy { get; init; } = "";
        public DateTimeOffset UpdatedAt { get; init; }
        public string UpdatedBy { get; init; } = "";
        public bool Created { get; init; }

        public SecretDto ToDto() => new()
        {
            Name = Name, Reference = SecretReference.For(Name), CreatedAt = CreatedAt, CreatedBy = CreatedBy, UpdatedAt = UpdatedAt, UpdatedBy = UpdatedBy,
        };
    }
}
