namespace Orchestrator.GitHub;

/// <summary>How a delivery ended (<c>github_deliveries.outcome</c>); a retry leaves it open.</summary>
public sealed record DeliveryOutcome(string Outcome, string Detail, string? Environment = null)
{
    public const string Started = "started";
    public const string Ignored = "ignored";
    public const string Invalid = "invalid";
    public const string Failed = "failed";

    public static DeliveryOutcome Ignore(string detail, string? environment = null) => new(Ignored, detail, environment);
    public static DeliveryOutcome Refuse(string detail, string? environment = null) => new(Invalid, detail, environment);
}
