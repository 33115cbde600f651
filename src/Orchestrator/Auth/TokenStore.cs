using System.Security.Cryptography;
using System.Text;
using Dapper;
using Npgsql;

namespace Orchestrator.Auth;

/// <summary>Issues and looks up bearer tokens. Only SHA-256 hashes are stored; a token is shown once, when issued.</summary>
public sealed class TokenStore(NpgsqlDataSource dataSource, TimeProvider time)
{
    public static byte[] Hash(string token) => SHA256.HashData(Encoding.UTF8.GetBytes(token));

    public static string NewToken(string kind) =>
        TokenKinds.Prefix(kind) + Base64UrlEncode(RandomNumberGenerator.GetBytes(32));

    public async Task<string> CreateAsync(string kind, string name, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await CreateAsync(connection, null, kind, name, null, cancellationToken);
    }

    public async Task<string> CreateAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, string kind, string name, Guid? runnerId, CancellationToken cancellationToken)
    {
        var token = NewToken(kind);
        await connection.ExecuteAsync(new CommandDefinition("""
            INSERT INTO api_tokens (id, kind, name, token_hash, runner_id, created_at)
            VALUES (@id, @kind, @name, @hash, @runnerId, @now)
            """, new { id = Guid.NewGuid(), kind, name, hash = Hash(token), runnerId, now = time.GetUtcNow() }, transaction, cancellationToken: cancellationToken));
        return token;
    }

    /// <summary>The token's record, or null when unknown, already used (registration) or its runner was removed.</summary>
    public async Task<TokenRecord?> FindUsableAsync(string token, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await connection.QuerySingleOrDefaultAsync<TokenRecord>(new CommandDefinition("""
            SELECT t.id AS Id, t.kind AS Kind, t.name AS Name, t.runner_id AS RunnerId
            FROM api_tokens t LEFT JOIN runners r ON r.id = t.runner_id
            WHERE t.token_hash = @hash AND t.consumed_at IS NULL AND r.removed_at IS NULL
            """, new { hash = Hash(token) }, cancellationToken: cancellationToken));
    }

    /// <summary>Marks a registration token used, inside the registration's transaction; false when it already was.</summary>
    public async Task<bool> ConsumeAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, Guid tokenId, CancellationToken cancellationToken) =>
        await connection.ExecuteAsync(new CommandDefinition(
            "UPDATE api_tokens SET consumed_at = @now WHERE id = @tokenId AND kind = 'registration' AND consumed_at IS NULL",
            new { tokenId, now = time.GetUtcNow() }, transaction, cancellationToken: cancellationToken)) == 1;

    private static string Base64UrlEncode(byte[] bytes) =>
        Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
