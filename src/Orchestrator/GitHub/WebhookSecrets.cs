using System.Text.Json;
using Contracts.Specs;
using Dapper;
using Microsoft.Extensions.Options;
using Npgsql;
using Orchestrator.Secrets;

namespace Orchestrator.GitHub;

/// <summary>
/// The secret a delivery must be signed with: its repository's binding's own (<c>secret://NAME</c>), else the
/// orchestrator's <c>GitHub:WebhookSecret</c>; null when there is neither, and the delivery is refused (fail closed).
/// The repository is read from the unverified body only to choose the key: nothing else is trusted before the check.
/// </summary>
public sealed class WebhookSecrets(NpgsqlDataSource dataSource, SecretStore secrets, IOptions<GitHubOptions> options)
{
    public async Task<string?> ForAsync(byte[] body, CancellationToken cancellationToken)
    {
        if (Repository(body) is { } repository)
        {
            await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
            var reference = await connection.ExecuteScalarAsync<string?>(new CommandDefinition(
                "SELECT secret FROM github_bindings WHERE repository = @repository", new { repository }, cancellationToken: cancellationToken));
            if (SecretReference.IsSecret(reference))
            {
                var name = SecretReference.NameOf(reference!);
                // A binding's secret cannot be deleted while the binding names it; were it gone, nothing verifies.
                return (await secrets.RevealAsync([name], cancellationToken)).GetValueOrDefault(name);
            }
        }

        return options.Value.HasWebhookSecret ? options.Value.WebhookSecret : null;
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
