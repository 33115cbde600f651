using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using Dapper;
using Npgsql;

namespace Orchestrator.Auth;

/// <summary>
/// Issues and looks up bearer tokens. Only SHA-256 hashes are stored; a token is shown once, when issued.
/// User tokens are read from the database on every use, so that a revocation or an expiry takes effect at once on every
/// instance. Lookups of runner tokens are remembered for a few seconds, so that a runner's three calls per step do not
/// each cost a database round trip. What can make such a token unusable (removing its runner) calls
/// <see cref="Forget"/> on this instance and notifies <see cref="Channel"/> so that every other instance forgets too;
/// the expiry bounds how stale a lookup can be when that notification is missed (a LISTEN connection that was down).
/// </summary>
public sealed class TokenStore(NpgsqlDataSource dataSource, TimeProvider time)
{
    public const string Channel = "orchestrator_tokens_changed";
    private static readonly TimeSpan RememberFor = TimeSpan.FromSeconds(10);
    private readonly ConcurrentDictionary<string, (TokenRecord Record, DateTimeOffset Until)> _remembered = new(StringComparer.Ordinal);
    private long _generation;

    public static byte[] Hash(string token) => SHA256.HashData(Encoding.UTF8.GetBytes(token));

    public static string NewToken(string kind) =>
        TokenKinds.Prefix(kind) + Base64UrlEncode(RandomNumberGenerator.GetBytes(32));

    /// <summary>A token of <paramref name="kind"/>; a user token is an unlimited admin (what <c>tokens create</c> makes
    /// by default, and what every token was before roles).</summary>
    public async Task<string> CreateAsync(string kind, string name, CancellationToken cancellationToken) =>
        (await CreateAsync(new TokenGrant(kind, name, kind == TokenKinds.User ? Roles.Admin : null, null, null, null), cancellationToken)).Token;

    public async Task<IssuedToken> CreateAsync(TokenGrant grant, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(grant);
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var id = Guid.NewGuid();
        var token = await InsertAsync(connection, null, id, grant, null, cancellationToken);
        return new IssuedToken(id, token);
    }

    public async Task<string> CreateAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, string kind, string name, Guid? runnerId, CancellationToken cancellationToken) =>
        await InsertAsync(connection, transaction, Guid.NewGuid(), new TokenGrant(kind, name, null, null, null, null), runnerId, cancellationToken);

    private async Task<string> InsertAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, Guid id, TokenGrant grant, Guid? runnerId, CancellationToken cancellationToken)
    {
        var token = NewToken(grant.Kind);
        await connection.ExecuteAsync(new CommandDefinition("""
            INSERT INTO api_tokens (id, kind, name, token_hash, runner_id, created_at, role, environments, expires_at, created_by)
            VALUES (@id, @kind, @name, @hash, @runnerId, @now, @role, @environments, @expiresAt, @createdBy)
            """, new
            {
                id, kind = grant.Kind, name = grant.Name, hash = Hash(token), runnerId, now = time.GetUtcNow(),
                role = grant.Role, environments = grant.Environments, expiresAt = grant.ExpiresAt, createdBy = grant.CreatedBy,
            }, transaction, cancellationToken: cancellationToken));
        return token;
    }

    /// <summary>The token's record, or null when unknown, revoked, expired, already used (registration) or its runner was
    /// removed.</summary>
    public async Task<TokenRecord?> FindUsableAsync(string token, CancellationToken cancellationToken)
    {
        var hash = Hash(token);
        var key = Convert.ToBase64String(hash);
        var now = time.GetUtcNow();
        if (_remembered.TryGetValue(key, out var known) && known.Until > now) return Expired(known.Record, now) ? null : known.Record;
        // A lookup that read the database before a removal committed must not be remembered after the Forget it raced.
        var generation = Interlocked.Read(ref _generation);

        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var record = await connection.QuerySingleOrDefaultAsync<TokenRecord>(new CommandDefinition("""
            SELECT t.id AS Id, t.kind AS Kind, t.name AS Name, t.runner_id AS RunnerId, COALESCE(r.labels, '{}') AS Labels,
                   t.role AS Role, t.environments AS Environments, t.expires_at AS ExpiresAt
            FROM api_tokens t LEFT JOIN runners r ON r.id = t.runner_id
            WHERE t.token_hash = @hash AND t.consumed_at IS NULL AND t.revoked_at IS NULL AND r.removed_at IS NULL
            """, new { hash }, cancellationToken: cancellationToken));
        if (record is not null && Expired(record, now)) return null;
        // A registration token is used up by the call it authenticates, and a user token may be revoked on another
        // instance at any moment, so only runner tokens are remembered.
        if (record is { Kind: TokenKinds.Runner } && Interlocked.Read(ref _generation) == generation)
        {
            // Only usable tokens are remembered, so the map is bounded by the tokens issued; expired ones go in bulk.
            if (_remembered.Count >= 10_000) _remembered.Clear();
            _remembered[key] = (record, now + RememberFor);
        }
        return record;
    }

    private static bool Expired(TokenRecord record, DateTimeOffset now) => record.ExpiresAt is { } at && at <= now;

    /// <summary>Drops every remembered lookup; the next use of each token reads the database again.</summary>
    public void Forget()
    {
        Interlocked.Increment(ref _generation);
        _remembered.Clear();
    }

    /// <summary>Tells every instance (this one included, once the transaction commits) to <see cref="Forget"/>.</summary>
    public static Task NotifyChangedAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, CancellationToken cancellationToken) =>
        connection.ExecuteAsync(new CommandDefinition($"SELECT pg_notify('{Channel}', '')", transaction: transaction, cancellationToken: cancellationToken));

    /// <summary>Marks a registration token used, inside the registration's transaction; false when it already was.</summary>
    public async Task<bool> ConsumeAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, Guid tokenId, CancellationToken cancellationToken) =>
        await connection.ExecuteAsync(new CommandDefinition(
            "UPDATE api_tokens SET consumed_at = @now WHERE id = @tokenId AND kind = 'registration' AND consumed_at IS NULL",
            new { tokenId, now = time.GetUtcNow() }, transaction, cancellationToken: cancellationToken)) == 1;

    private static string Base64UrlEncode(byte[] bytes) =>
        Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
