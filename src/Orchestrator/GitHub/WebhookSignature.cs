using System.Security.Cryptography;
using System.Text;

namespace Orchestrator.GitHub;

/// <summary>
/// <c>X-Hub-Signature-256: sha256=&lt;hex HMAC-SHA256 of the raw body&gt;</c>. Checked here rather than by
/// Octokit.Webhooks.AspNetCore's <c>MapGitHubWebhooks</c>: that endpoint accepts unsigned requests when no secret is
/// configured, answers 400 (not 401) to a bad signature, and hashes the body after decoding it to a string, which is
/// not the bytes GitHub signed. Its <c>WebhookEventProcessor</c> still parses the verified body.
/// </summary>
public static class WebhookSignature
{
    public const string Header = "X-Hub-Signature-256";
    private const string Prefix = "sha256=";

    /// <summary>True only for a well-formed header whose digest equals ours, compared in constant time.</summary>
    public static bool IsValid(string? header, string secret, ReadOnlySpan<byte> body)
    {
        ArgumentException.ThrowIfNullOrEmpty(secret);
        if (header is null || !header.StartsWith(Prefix, StringComparison.Ordinal) || header.Length != Prefix.Length + 64) return false;
        Span<byte> claimed = stackalloc byte[32];
        if (Convert.FromHexString(header.AsSpan(Prefix.Length), claimed, out _, out var written) != System.Buffers.OperationStatus.Done || written != 32)
            return false;
        Span<byte> expected = stackalloc byte[32];
        HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), body, expected);
        return CryptographicOperations.FixedTimeEquals(claimed, expected);
    }

    public static string Sign(ReadOnlySpan<byte> body, string secret) =>
        Prefix + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), body));
}
