namespace Orchestrator.Secrets;

/// <summary>A stored secret as the API shows it: its name and history, never its value.</summary>
public sealed record SecretDto
{
    public string Name { get; init; } = "";
    /// <summary>How a spec or a webhook binding refers to it: <c>secret://NAME</c>.</summary>
    public string Reference { get; init; } = "";
    public DateTimeOffset CreatedAt { get; init; }
    public string CreatedBy { get; init; } = "";
    public DateTimeOffset UpdatedAt { get; init; }
    public string UpdatedBy { get; init; } = "";
}
