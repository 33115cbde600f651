using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Orchestrator.Auth;

namespace Orchestrator.Dashboard.Auth;

/// <summary>
/// The dashboard's cookie session. Signing in checks a user token once and keeps it inside the (data-protected)
/// ticket, so that every request re-checks it through <see cref="TokenStore"/>: a revoked token ends the session
/// within the store's few seconds of memory. The API keeps its bearer scheme: a request with an Authorization
/// header is always judged by it; only a request without one that carries the dashboard cookie is judged by the
/// cookie, and then every change it asks for must carry the antiforgery header (<see cref="ApiAntiforgery"/>).
/// </summary>
public static class DashboardAuth
{
    public const string CookieScheme = "DashboardCookie";
    public const string SelectorScheme = "BearerOrDashboardCookie";
    public const string Policy = "dashboard";
    public const string CookieName = "orchestrator.session";
    public const string AntiforgeryHeader = "X-CSRF-Token";
    private const string TokenItem = "orchestrator:user-token";

    public static IServiceCollection AddDashboardAuth(this IServiceCollection services)
    {
        services.AddAuthentication()
            .AddCookie(CookieScheme, o =>
            {
                o.Cookie.Name = CookieName;
                o.Cookie.HttpOnly = true;
                o.Cookie.SameSite = SameSiteMode.Strict;
                o.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
                o.Cookie.Path = "/";
                o.LoginPath = "/ui/signin";
                o.LogoutPath = "/ui/signout";
                o.AccessDeniedPath = "/ui/signin";
                o.ExpireTimeSpan = TimeSpan.FromHours(12);
                o.SlidingExpiration = true;
                o.Events.OnValidatePrincipal = ValidateAsync;
                // A script's call to /api answers 401/403 as the API does, never a redirect to an HTML page.
                o.Events.OnRedirectToLogin = context => Answer(context, StatusCodes.Status401Unauthorized);
                o.Events.OnRedirectToAccessDenied = context => Answer(context, StatusCodes.Status403Forbidden);
            })
            .AddPolicyScheme(SelectorScheme, SelectorScheme, o => o.ForwardDefaultSelector = context =>
                context.Request.Headers.Authorization.Count == 0 && context.Request.Cookies.ContainsKey(CookieName)
                    ? CookieScheme
                    : BearerAuthenticationHandler.SchemeName);
        // Runs after AddOrchestratorAuth's default (bearer) and replaces it by the selector, which forwards to bearer
        // whenever a bearer header is present or no dashboard cookie is.
        services.Configure<AuthenticationOptions>(o => o.DefaultScheme = SelectorScheme);
        services.AddAuthorizationBuilder().AddPolicy(Policy, p => p
            .AddAuthenticationSchemes(CookieScheme)
            .RequireClaim(BearerAuthenticationHandler.KindClaim, TokenKinds.User));
        services.AddAntiforgery(o =>
        {
            o.HeaderName = AntiforgeryHeader;
            o.Cookie.Name = "orchestrator.csrf";
            o.Cookie.SameSite = SameSiteMode.Strict;
            o.Cookie.HttpOnly = true;
            o.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
        });
        return services;
    }

    /// <summary>The principal of a session opened with <paramref name="record"/>'s token; the same claims as the bearer
    /// handler's, so that the API's audit trail names the user the same way.</summary>
    public static (ClaimsPrincipal Principal, AuthenticationProperties Properties) Session(TokenRecord record, string token)
    {
        ArgumentNullException.ThrowIfNull(record);
        var identity = TokenClaims.Identity(record, CookieScheme);
        var properties = new AuthenticationProperties { IsPersistent = false };
        properties.Items[TokenItem] = token;
        return (new ClaimsPrincipal(identity), properties);
    }

    public static bool IsCookieSession(ClaimsPrincipal user) =>
        user.Identities.Any(i => i.IsAuthenticated && i.AuthenticationType == CookieScheme);

    private static async Task ValidateAsync(CookieValidatePrincipalContext context)
    {
        var token = context.Properties.Items.TryGetValue(TokenItem, out var value) ? value : null;
        var tokens = context.HttpContext.RequestServices.GetRequiredService<TokenStore>();
        var record = token is null ? null : await tokens.FindUsableAsync(token, context.HttpContext.RequestAborted);
        if (record is null || record.Kind != TokenKinds.User)
        {
            context.RejectPrincipal();
            await context.HttpContext.SignOutAsync(CookieScheme);
            return;
        }
        // The session acts with what the token may do now: a changed role or scope applies at the next request.
        context.ReplacePrincipal(new ClaimsPrincipal(TokenClaims.Identity(record, CookieScheme)));
    }

    private static Task Answer(RedirectContext<CookieAuthenticationOptions> context, int status)
    {
        if (context.Request.Path.StartsWithSegments("/ui", StringComparison.Ordinal) && !IsScriptCall(context.Request))
        {
            context.Response.Redirect(context.RedirectUri);
            return Task.CompletedTask;
        }
        context.Response.StatusCode = status;
        return Task.CompletedTask;
    }

    private static bool IsScriptCall(HttpRequest request) =>
        request.Path.StartsWithSegments("/ui/data", StringComparison.Ordinal);
}
