using System.Text.RegularExpressions;
using Contracts.Specs;
using Orchestrator.Rollouts;

namespace Orchestrator.Auth;

/// <summary>Checks a token request field by field (the same rules for the API and <c>tokens create</c> on the database).</summary>
public static partial class TokenGrantValidator
{
    public static readonly TimeSpan LongestLife = TimeSpan.FromDays(3650);

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9._@-]{0,99}$")]
    public static partial Regex NamePattern();

    [GeneratedRegex("^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$")]
    public static partial Regex EnvironmentPattern();

    public static TokenGrant? Validate(CreateTokenRequest request, string? createdBy, DateTimeOffset now, out ValidationErrors errors)
    {
        ArgumentNullException.ThrowIfNull(request);
        errors = new ValidationErrors();
        var kind = request.Kind ?? TokenKinds.User;
        if (kind is not (TokenKinds.User or TokenKinds.Registration))
            errors.Add("kind", "Must be user or registration (runner tokens are issued when a runner registers).");
        if (request.Name is not { } name || !NamePattern().IsMatch(name))
            errors.Add("name", "Required: 1 to 100 letters, digits, '.', '_', '@' or '-', starting with a letter or digit.");
        if (kind == TokenKinds.User && !Roles.IsKnown(request.Role))
            errors.Add("role", $"Required for a user token: one of {string.Join(", ", Roles.All)}.");
        if (kind == TokenKinds.Registration && request.Role is not null)
            errors.Add("role", "A registration token has no role.");
        if (kind == TokenKinds.Registration && request.Environments is not null)
            errors.Add("environments", "A registration token is not limited to environments.");
        if (request.Environments is { } environments)
        {
            if (environments.Length == 0) errors.Add("environments", "List at least one environment, or leave it out for every environment.");
            for (var i = 0; i < environments.Length; i++)
                if (environments[i] is null || !EnvironmentPattern().IsMatch(environments[i]))
                    errors.Add($"environments[{i}]", "Must be an environment name (lower-case letters, digits and '-').");
        }
        DateTimeOffset? expiresAt = null;
        if (request.ExpiresIn is { } expiresIn)
        {
            if (!Durations.TryParse(expiresIn, out var life) || life <= TimeSpan.Zero || life > LongestLife)
                errors.Add("expiresIn", "Must be a duration such as 30d, 12h or 90m, at most 3650d.");
            else
                expiresAt = now + life;
        }
        return errors.IsEmpty
            ? new TokenGrant(kind, request.Name!, kind == TokenKinds.User ? request.Role : null, request.Environments?.Distinct(StringComparer.Ordinal).ToArray(), expiresAt, createdBy)
            : null;
    }
}
