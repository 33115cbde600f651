namespace Orchestrator.Auth;

/// <summary>The three kinds of bearer token; each opens only its own endpoints (api.md "Auth").</summary>
public static class TokenKinds
{
    public const string User = "user";
    public const string Registration = "registration";
    public const string Runner = "runner";

    public static string Prefix(string kind) => kind switch
    {
        User => "orch_u_",
        Registration => "orch_reg_",
        Runner => "orch_r_",
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "Unknown token kind."),
    };
}
