using Microsoft.AspNetCore.Antiforgery;

namespace Orchestrator.Dashboard.Auth;

/// <summary>
/// A browser sends the session cookie with any request to this origin, so a change made under the cookie must prove
/// that the dashboard's own page asked for it: the antiforgery token in <see cref="DashboardAuth.AntiforgeryHeader"/>.
/// Bearer calls are untouched (a bearer header is never sent by a browser on its own). Reads need no token.
/// </summary>
public static class ApiAntiforgery
{
    public static IApplicationBuilder UseApiAntiforgery(this IApplicationBuilder app) => app.Use(async (context, next) =>
    {
        if (context.Request.Path.StartsWithSegments("/api", StringComparison.Ordinal)
            && !HttpMethods.IsGet(context.Request.Method) && !HttpMethods.IsHead(context.Request.Method) && !HttpMethods.IsOptions(context.Request.Method)
            && DashboardAuth.IsCookieSession(context.User))
        {
            var antiforgery = context.RequestServices.GetRequiredService<IAntiforgery>();
            if (!await antiforgery.IsRequestValidAsync(context))
            {
                await Results.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Missing or invalid antiforgery token",
                    detail: $"A change made with the dashboard's session must carry the page's token in the {DashboardAuth.AntiforgeryHeader} header; reload the page.")
                    .ExecuteAsync(context);
                return;
            }
        }
        await next(context);
    });
}
