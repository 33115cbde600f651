using System.Security.Claims;

namespace Orchestrator.Auth;

/// <summary>The claims a token's record gives its caller, the same for a bearer token and a dashboard session.</summary>
public static class TokenClaims
{
    public const string Kind = "orchestrator:kind";
    public const string TokenId = "orchestrator:token";
    public const string RunnerId = "orchestrator:runner";
    public const string Label = "orchestrator:label";
    public const string Role = "orchestrator:role";
    public const string Environment = "orchestrator:environment";

    /// <summary>Present on a token limited to environments, so that a token limited to none is told from an unlimited one.</summary>
    public const string Scoped = "orchestrator:scoped";

    public static ClaimsIdentity Identity(TokenRecord record, string authenticationType)
    {
        ArgumentNullException.ThrowIfNull(record);
        var claims = new List<Claim>
        {
            new(ClaimTypes.Name, record.Name),
            new(Kind, record.Kind),
            new(TokenId, record.Id.ToString()),
        };
        if (record.RunnerId is { } runnerId) claims.Add(new(RunnerId, runnerId.ToString()));
        claims.AddRange(record.Labels.Select(label => new Claim(Label, label)));
        if (record.Role is { } role) claims.Add(new(Role, role));
        if (record.Environments is { } environments)
        {
            claims.Add(new(Scoped, "true"));
            claims.AddRange(environments.Select(environment => new Claim(Environment, environment)));
        }
        return new ClaimsIdentity(claims, authenticationType);
    }
}
