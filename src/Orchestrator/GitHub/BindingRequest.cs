namespace Orchestrator.GitHub;

/// <summary>A webhook binding as written: which releases of a repository roll out where (see <see cref="BindingDto"/>).</summary>
public sealed record BindingRequest
{
    public string? Repository { get; init; }
    public string? StagingEnvironment { get; init; }
    public string? ProdEnvironment { get; init; }
    public IReadOnlyList<string>? Actions { get; init; }
    public string? OnRemoved { get; init; }
    public string? SpecPath { get; init; }
    public long? InstallationId { get; init; }
    /// <summary><c>secret://NAME</c>: the stored secret this repository's deliveries are signed with; null: the
    /// orchestrator's <c>GitHub:WebhookSecret</c>.</summary>
    public string? Secret { get; init; }
}
