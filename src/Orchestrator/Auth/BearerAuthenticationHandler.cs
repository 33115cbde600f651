using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace Orchestrator.Auth;

/// <summary>Authenticates <c>Authorization: Bearer …</c> against the hashed tokens; the token itself is never logged.</summary>
public sealed class BearerAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    TokenStore tokens)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "Bearer";
    public const string KindClaim = "orchestrator:kind";
    public const string TokenIdClaim = "orchestrator:token";
    public const string RunnerIdClaim = "orchestrator:runner";
    public const string LabelClaim = "orchestrator:label";

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        string? header = Request.Headers.Authorization;
        if (string.IsNullOrEmpty(header)) return AuthenticateResult.NoResult();
        if (!header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)) return AuthenticateResult.Fail("Not a bearer token.");
        var token = header["Bearer ".Length..].Trim();
        var record = await tokens.FindUsableAsync(token, Context.RequestAborted);
        if (record is null) return AuthenticateResult.Fail("Unknown, used or revoked token.");

        var claims = new List<Claim>
        {
            new(ClaimTypes.Name, record.Name),
            new(KindClaim, record.Kind),
            new(TokenIdClaim, record.Id.ToString()),
        };
        if (record.RunnerId is { } runnerId) claims.Add(new(RunnerIdClaim, runnerId.ToString()));
        claims.AddRange(record.Labels.Select(label => new Claim(LabelClaim, label)));
        var principal = new ClaimsPrincipal(new ClaimsIdentity(claims, SchemeName));
        return AuthenticateResult.Success(new AuthenticationTicket(principal, SchemeName));
    }
}
