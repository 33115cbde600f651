using System.Text.Json;
using Contracts.Specs;
using Dapper;
using Microsoft.Extensions.Options;
using Npgsql;
using Orchestrator.Secrets;

namespace Orchestrator.GitHub;

/// <summary>
/// The secret a delivery must be signed with: its repository's binding's own (<c>secret://NAME</c>), else the
/// orchestrator's <c>GitHub:WebhookSecret</c> (a value, or itself a <c>secret://NAME</c> read from the store at each
/// delivery, so that <c>secrets set</c> rotates it on every instance at once); none when there is neither, and the
/// delivery is refused (fail closed). The repository is read from the unverified body only to choose the key:
/// nothing else is trusted before the check.
/// </summary>
public sealed class WebhookSecrets(NpgsqlDataSource dataSource, SecretStore secrets, IOptions<GitHubOptions> options)
{
    public async Task<WebhookKey> ForAsync(byte[] body, CancellationToken cancellationToken)
    {
        if (Repository(body) is { } repository)
        {
            await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
            var reference = await connection.ExecuteScalarAsync<string?>(new CommandDefinition(
                "SELECT secret FROM github_bindings WHERE repository = @repository", new { repository }, cancellationToken: cancellationToken));
            if (SecretReference.IsSecret(reference))
            {
                // A binding's secret cannot be deleted while the binding names it; were it gone, nothing verifies.
                return await RevealAsync(reference!, $"the binding of {repository}", cancellationToken);
            }
        }

        var configured = options.Value.WebhookSecret;
        if (SecretReference.IsSecret(configured)) return await RevealAsync(configured!, $"{GitHubOptions.Section}:WebhookSecret", cancellationToken);
        return string.IsNullOrEmpty(configured) ? WebhookKey.None(NotConfigured) : new WebhookKey(configured, null);
    }

    public const string NotConfigured = "This orchestrator has no webhook secret for this repository, and it accepts no unsigned delivery: set GitHub:WebhookSecretFile (or GitHub__WebhookSecret, a value or secret://NAME), or give the repository's binding a secret (secret://NAME).";

    private async Task<WebhookKey> RevealAsync(string reference, string whose, CancellationToken cancellationToken)
    {
        var name = SecretReference.NameOf(reference);
        return (await secrets.RevealAsync([name], cancellationToken)).TryGetValue(name, out var value)
            ? new WebhookKey(value, null)
            : WebhookKey.None($"{whose} names {reference}, which is not in the secret store: set it with `orchestrator secrets set {name}`.");
    }

    private static string? Repository(byte[] body)
    {
        try
        {
            using var document = JsonDocument.Parse(body);
            return document.RootElement.ValueKind == JsonValueKind.Object
                && document.RootElement.TryGetProperty("repository", out var repository) && repository.ValueKind == JsonValueKind.Object
                && repository.TryGetProperty("full_name", out var name) && name.ValueKind == JsonValueKind.String
                ? name.GetString()!.ToLowerInvariant()
                : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}

/// <summary>The key deliveries are checked with, or why there is none (<see cref="Problem"/>, for the 503).</summary>
public readonly record struct WebhookKey(string? Value, string? Problem)
{
    public static WebhookKey None(string problem) => new(null, problem);
}
