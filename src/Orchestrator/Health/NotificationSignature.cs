using System.Security.Cryptography;

namespace Orchestrator.Health;

/// <summary><c>X-Orchestrator-Signature-256: sha256=&lt;hex HMAC-SHA256 of the raw body&gt;</c>, as GitHub signs webhooks.</summary>
public static class NotificationSignature
{
    public const string Header = "X-Orchestrator-Signature-256";
    public const string EventIdHeader = "X-Orchestrator-Event-Id";
    public const string EventHeader = "X-Orchestrator-Event";

    public static string Sign(ReadOnlySpan<byte> body, string key) =>
        "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(System.Text.Encoding.UTF8.GetBytes(key), body));

    /// <summary>Constant-time check, for receivers (and the tests).</summary>
    public static bool Verify(ReadOnlySpan<byte> body, string key, string? header) =>
        header is not null && CryptographicOperations.FixedTimeEquals(
            System.Text.Encoding.ASCII.GetBytes(Sign(body, key)), System.Text.Encoding.ASCII.GetBytes(header));
}
