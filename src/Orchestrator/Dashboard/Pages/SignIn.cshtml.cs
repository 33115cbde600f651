using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Orchestrator.Auth;
using Orchestrator.Dashboard.Auth;

namespace Orchestrator.Dashboard.Pages;

/// <summary>Opens a cookie session for a user token; registration and runner tokens are refused.</summary>
public sealed class SignInModel(TokenStore tokens) : PageModel
{
    [BindProperty(SupportsGet = true)]
    public string? ReturnUrl { get; set; }

    public string? Error { get; private set; }

    public void OnGet()
    {
    }

    public async Task<IActionResult> OnPostAsync(string? token, CancellationToken cancellationToken)
    {
        var record = string.IsNullOrWhiteSpace(token) ? null : await tokens.FindUsableAsync(token.Trim(), cancellationToken);
        if (record is null || record.Kind != TokenKinds.User)
        {
            Error = record is null ? "That token is unknown or revoked." : "That is not a user token: create one with 'orchestrator tokens create --kind user'.";
            return Page();
        }
        var (principal, properties) = DashboardAuth.Session(record, token!.Trim());
        await HttpContext.SignInAsync(DashboardAuth.CookieScheme, principal, properties);
        // Only a local path: an open redirect would let a link sign someone in and send them elsewhere.
        return LocalRedirect(Url.IsLocalUrl(ReturnUrl) && ReturnUrl!.StartsWith("/ui", StringComparison.Ordinal) ? ReturnUrl : "/ui");
    }
}
