using System.ComponentModel.DataAnnotations;

namespace Orchestrator.Health;

/// <summary>Bound from <c>Notifications</c>. The signing key is a secret: never logged, never returned. It comes from
/// <see cref="SigningKeyFile"/> (read once at start) or from <see cref="SigningKey"/> (the <c>Notifications__SigningKey</c>
/// environment variable; never a command-line flag, which other users of the machine can read).</summary>
public sealed class NotificationOptions
{
    public const string Section = "Notifications";

    /// <summary>HMAC-SHA256 key of <c>X-Orchestrator-Signature-256</c>. Without it no environment may have notify URLs,
    /// and nothing is sent unsigned (fail closed).</summary>
    public string? SigningKey { get; set; }
    public string? SigningKeyFile { get; set; }
    [Range(1, 100)] public int MaxAttempts { get; set; } = 10;
    /// <summary>First retry delay; each later attempt doubles it (jittered ±20 %), up to <see cref="MaxBackoffSeconds"/>.</summary>
    [Range(0.01, 3600.0)] public double InitialBackoffSeconds { get; set; } = 2;
    [Range(0.01, 86400.0)] public double MaxBackoffSeconds { get; set; } = 600;
    [Range(1, 300)] public int TimeoutSeconds { get; set; } = 10;
    [Range(20, 60_000)] public int PollIntervalMilliseconds { get; set; } = 500;

    public bool HasKey => !string.IsNullOrEmpty(SigningKey);

    /// <summary>Loads <see cref="SigningKeyFile"/> into <see cref="SigningKey"/>; a named file that cannot be read stops the start.</summary>
    public static void LoadKeyFile(NotificationOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (string.IsNullOrEmpty(options.SigningKeyFile)) return;
        try
        {
            options.SigningKey = File.ReadAllText(options.SigningKeyFile).Trim();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new InvalidOperationException($"Notifications:SigningKeyFile {options.SigningKeyFile} cannot be read: {e.Message}", e);
        }
        if (options.SigningKey.Length == 0) throw new InvalidOperationException($"Notifications:SigningKeyFile {options.SigningKeyFile} is empty.");
    }
}
