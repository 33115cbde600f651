using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Orchestrator.Dashboard.Auth;

namespace Orchestrator.Dashboard.Pages;

/// <summary>Ends the session; a post only (with the antiforgery token, as every Razor Pages post), so a link cannot.</summary>
public sealed class SignOutModel : PageModel
{
    public IActionResult OnGet() => LocalRedirect("/ui");

    public async Task<IActionResult> OnPostAsync()
    {
        await HttpContext.SignOutAsync(DashboardAuth.CookieScheme);
        return LocalRedirect("/ui/signin");
    }
}
