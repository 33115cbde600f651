namespace Orchestrator.Auth;

/// <summary>
/// The roles of a user token, each including the one before it: <c>viewer</c> reads; <c>operator</c> also applies,
/// cancels, retries, approves, promotes, aborts, extends and generates; <c>admin</c> also manages tokens, runners,
/// environments, schedules, windows, webhook bindings and secrets, and tears environments down.
/// </summary>
public static class Roles
{
    public const string Viewer = "viewer";
    public const string Operator = "operator";
    public const string Admin = "admin";

    public static readonly string[] All = [Viewer, Operator, Admin];

    public static bool IsKnown(string? role) => role is not null && All.Contains(role, StringComparer.Ordinal);

    /// <summary>Whether a token with role <paramref name="held"/> may do what needs <paramref name="needed"/>.</summary>
    public static bool Satisfies(string? held, string needed) =>
        IsKnown(held) && Array.IndexOf(All, held) >= Array.IndexOf(All, needed);
}
