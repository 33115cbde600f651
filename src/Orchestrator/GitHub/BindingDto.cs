namespace Orchestrator.GitHub;

/// <summary>
/// A repository's releases and where they go: a release whose action is one of <see cref="Actions"/> rolls out to
/// <see cref="StagingEnvironment"/> when it is a pre-release, else to <see cref="ProdEnvironment"/>, with the spec at
/// <see cref="SpecPath"/> at its tag. A <c>deleted</c> or <c>unpublished</c> release does <see cref="OnRemoved"/>:
/// <c>nothing</c>, or <c>rollback</c> (the environment goes back to the rollout before the one that release made).
/// </summary>
public sealed record BindingDto
{
    public Guid Id { get; init; }
    public string Repository { get; init; } = "";
    public string? StagingEnvironment { get; init; }
    public string? ProdEnvironment { get; init; }
    public IReadOnlyList<string> Actions { get; init; } = [];
    public string OnRemoved { get; init; } = Bindings.Nothing;
    public string SpecPath { get; init; } = Bindings.DefaultSpecPath;
    public long? InstallationId { get; init; }
    /// <summary>The reference (<c>secret://NAME</c>) of the secret that signs this repository's deliveries, never its
    /// value; null: the orchestrator's <c>GitHub:WebhookSecret</c>.</summary>
    public string? Secret { get; init; }
    public DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset UpdatedAt { get; init; }
}
