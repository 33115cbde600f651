using Dapper;
using Npgsql;

namespace Orchestrator.Auth;

/// <summary>What <c>tokens list</c> shows of a token: never its value or its hash.</summary>
public sealed record TokenDto
{
    public Guid Id { get; init; }
    public string Kind { get; init; } = "";
    public string Name { get; init; } = "";
    public string? Role { get; init; }
    public string[]? Environments { get; init; }
    public DateTimeOffset CreatedAt { get; init; }
    public string? CreatedBy { get; init; }
    public DateTimeOffset? ExpiresAt { get; init; }
    public DateTimeOffset? RevokedAt { get; init; }
    public DateTimeOffset? ConsumedAt { get; init; }
    public Guid? RunnerId { get; init; }

    /// <summary><c>active</c>, <c>expired</c>, <c>revoked</c> or <c>used</c> (a registration token).</summary>
    public string State { get; init; } = "";
}

/// <summary>Lists and revokes tokens. A revocation tells every instance at once (<see cref="TokenStore.Channel"/>).</summary>
public sealed class TokenAdministration(NpgsqlDataSource dataSource, TimeProvider time)
{
    private const string Columns = """
        id AS Id, kind AS Kind, name AS Name, role AS Role, environments AS Environments, created_at AS CreatedAt,
        created_by AS CreatedBy, expires_at AS ExpiresAt, revoked_at AS RevokedAt, consumed_at AS ConsumedAt, runner_id AS RunnerId,
        CASE WHEN revoked_at IS NOT NULL THEN 'revoked' WHEN consumed_at IS NOT NULL THEN 'used'
             WHEN expires_at IS NOT NULL AND expires_at <= @now THEN 'expired' ELSE 'active' END AS State
        """;

    /// <summary>User and registration tokens, newest first; runner tokens belong to their runner (<c>runners list</c>).</summary>
    public async Task<IReadOnlyList<TokenDto>> ListAsync(bool includeInactive, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var rows = await connection.QueryAsync<TokenDto>(new CommandDefinition($"""
            SELECT {Columns} FROM api_tokens
            WHERE kind IN ('user', 'registration')
              AND (@includeInactive OR (revoked_at IS NULL AND consumed_at IS NULL AND (expires_at IS NULL OR expires_at > @now)))
            ORDER BY created_at DESC, id
            """, new { includeInactive, now = time.GetUtcNow() }, cancellationToken: cancellationToken));
        return rows.AsList();
    }

    public async Task<TokenDto?> GetAsync(Guid id, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await connection.QuerySingleOrDefaultAsync<TokenDto>(new CommandDefinition(
            $"SELECT {Columns} FROM api_tokens WHERE id = @id AND kind IN ('user', 'registration')",
            new { id, now = time.GetUtcNow() }, cancellationToken: cancellationToken));
    }

    /// <summary>Revokes a user or registration token; null when there is none with that id. Revoking twice keeps the
    /// first time.</summary>
    public async Task<TokenDto?> RevokeAsync(Guid id, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var now = time.GetUtcNow();
        var changed = await connection.ExecuteAsync(new CommandDefinition(
            "UPDATE api_tokens SET revoked_at = COALESCE(revoked_at, @now) WHERE id = @id AND kind IN ('user', 'registration')",
            new { id, now }, transaction, cancellationToken: cancellationToken));
        if (changed == 0) return null;
        await TokenStore.NotifyChangedAsync(connection, transaction, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return await GetAsync(id, cancellationToken);
    }
}
