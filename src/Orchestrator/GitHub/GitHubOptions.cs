using System.ComponentModel.DataAnnotations;

namespace Orchestrator.GitHub;

/// <summary>
/// Bound from <c>GitHub</c>. The webhook secret, the token and the App's private key are secrets: never logged, never
/// returned. Each comes from its value (an environment variable such as <c>GitHub__WebhookSecret</c>; never a flag,
/// which other users of the machine can read) or from its <c>…File</c>, read once at start.
/// </summary>
public sealed class GitHubOptions
{
    public const string Section = "GitHub";

    /// <summary>Key of <c>X-Hub-Signature-256</c>: the value, or <c>secret://NAME</c> of the secret store (read at each
    /// delivery). Without it every delivery is refused (fail closed), except a binding's with its own secret.</summary>
    public string? WebhookSecret { get; set; }
    public string? WebhookSecretFile { get; set; }

    /// <summary>github.com's API, or a GitHub Enterprise Server's root (<c>https://github.example.com</c>: Octokit
    /// adds <c>/api/v3/</c>).</summary>
    [Required] public Uri BaseUrl { get; set; } = new("https://api.github.com/");

    /// <summary>Authenticate as a GitHub App: its id and private key (PEM). Installation tokens are made from a JWT
    /// and refreshed before they expire. Takes precedence over <see cref="Token"/>.</summary>
    public long? AppId { get; set; }
    public string? AppPrivateKey { get; set; }
    public string? AppPrivateKeyFile { get; set; }
    /// <summary>The App's installation used when neither the delivery nor the binding names one.</summary>
    public long? InstallationId { get; set; }

    /// <summary>Or a personal access / fine-grained token.</summary>
    public string? Token { get; set; }
    public string? TokenFile { get; set; }

    /// <summary>Where users reach this orchestrator: the base of each status's <c>log_url</c> and <c>environment_url</c>.</summary>
    public Uri? PublicUrl { get; set; }

    [Range(1, 300)] public int RequestTimeoutSeconds { get; set; } = 10;
    [Range(20, 60_000)] public int PollIntervalMilliseconds { get; set; } = 500;
    [Range(1, 1000)] public int MaxAttempts { get; set; } = 20;
    /// <summary>First retry delay; each later attempt doubles it (jittered ±20 %), up to <see cref="MaxBackoffSeconds"/>.</summary>
    [Range(0.01, 3600.0)] public double InitialBackoffSeconds { get; set; } = 2;
    [Range(0.01, 86400.0)] public double MaxBackoffSeconds { get; set; } = 300;

    public bool UsesApp => AppId is not null && !string.IsNullOrEmpty(AppPrivateKey);
    public bool CanCallGitHub => UsesApp || !string.IsNullOrEmpty(Token);

    /// <summary>Reads the <c>…File</c> secrets; a named file that cannot be read, or is empty, stops the start.</summary>
    public static void LoadFiles(GitHubOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.WebhookSecret = Load(options.WebhookSecretFile, nameof(WebhookSecretFile)) ?? options.WebhookSecret;
        options.AppPrivateKey = Load(options.AppPrivateKeyFile, nameof(AppPrivateKeyFile)) ?? options.AppPrivateKey;
        options.Token = Load(options.TokenFile, nameof(TokenFile)) ?? options.Token;
    }

    private static string? Load(string? path, string name)
    {
        if (string.IsNullOrEmpty(path)) return null;
        string text;
        try
        {
            text = File.ReadAllText(path).Trim();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new InvalidOperationException($"{Section}:{name} {path} cannot be read: {e.Message}", e);
        }
        return text.Length > 0 ? text : throw new InvalidOperationException($"{Section}:{name} {path} is empty.");
    }
}
