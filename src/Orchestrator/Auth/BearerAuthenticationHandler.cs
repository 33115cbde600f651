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
    public const string KindClaim = TokenClaims.Kind;
    public const string TokenIdClaim = TokenClaims.TokenId;
    public const string RunnerIdClaim = TokenClaims.RunnerId;
    public const string LabelClaim = TokenClaims.Label;

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        string? header = Request.Headers.Authorization;
        if (string.IsNullOrEmpty(header)) return AuthenticateResult.NoResult();
        if (!header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)) return AuthenticateResult.Fail("Not a bearer token.");
        var token = header["Bearer ".Length..].Trim();
        var record = await tokens.FindUsableAsync(token, Context.RequestAborted);
        if (record is null) return AuthenticateResult.Fail("Unknown, expired, used or revoked token.");

        var principal = new ClaimsPrincipal(TokenClaims.Identity(record, SchemeName));
        return AuthenticateResult.Success(new AuthenticationTicket(principal, SchemeName));
    }
}
