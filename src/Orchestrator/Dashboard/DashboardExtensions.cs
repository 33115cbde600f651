using System.Reflection;
using Microsoft.Extensions.FileProviders;
using Orchestrator.Dashboard.Auth;
using Orchestrator.Dashboard.Data;

namespace Orchestrator.Dashboard;

/// <summary>
/// The dashboard under <c>/ui</c>: Razor Pages rendered by this process, and small ES modules and a stylesheet
/// embedded in the assembly (so that <c>dotnet orchestrator.dll serve</c> from any folder serves them; nothing is built
/// by npm and nothing is downloaded).
/// </summary>
public static class DashboardExtensions
{
    private const string AssetsNamespace = "Orchestrator.Dashboard.Assets";

    public static IServiceCollection AddDashboard(this IServiceCollection services)
    {
        services.AddDashboardAuth();
        services.AddRazorPages(o =>
        {
            o.RootDirectory = "/Dashboard/Pages";
            o.Conventions.AuthorizeFolder("/", DashboardAuth.Policy);
            o.Conventions.AllowAnonymousToPage("/SignIn");
            o.Conventions.AddPageRoute("/Environments", "/ui");
        });
        return services;
    }

    /// <summary>Call after UseAuthentication/UseAuthorization: adds the cookie session's antiforgery check on the API,
    /// the embedded assets and the pages.</summary>
    public static WebApplication MapDashboard(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.UseApiAntiforgery();
        app.UseStaticFiles(new StaticFileOptions
        {
            RequestPath = "/ui/assets",
            FileProvider = new EmbeddedFileProvider(Assembly.GetExecutingAssembly(), AssetsNamespace),
            OnPrepareResponse = c => c.Context.Response.Headers.CacheControl = "no-cache",
        });
        app.Use(async (context, next) =>
        {
            if (context.Request.Path.StartsWithSegments("/ui", StringComparison.Ordinal))
            {
                context.Response.Headers.XContentTypeOptions = "nosniff";
                context.Response.Headers.ContentSecurityPolicy = "frame-ancestors 'none'";
                context.Response.Headers["Referrer-Policy"] = "same-origin";
            }
            await next(context);
        });
        app.MapRazorPages();
        app.MapRunLogSnapshot();
        return app;
    }
}
