using System.Text.RegularExpressions;
using Contracts.Specs;
using Orchestrator.Rollouts;

namespace Orchestrator.GitHub;

/// <summary>The values a binding may hold, and the check of a <see cref="BindingRequest"/> against them.</summary>
public static partial class Bindings
{
    public const string DefaultSpecPath = ".orchestrator/rollout.yaml";
    public const string Nothing = "nothing";
    public const string Rollback = "rollback";

    /// <summary>The actions that can start a rollout. <c>edited</c> is off unless a binding asks for it.</summary>
    public static readonly string[] StartActions = ["created", "published", "released", "prereleased", "edited"];
    public static readonly string[] DefaultActions = ["published", "released", "prereleased"];
    /// <summary>The actions that take a release away; what they do is the binding's <c>onRemoved</c>.</summary>
    public static readonly string[] RemoveActions = ["deleted", "unpublished"];

    [GeneratedRegex("^[A-Za-z0-9_.-]{1,100}/[A-Za-z0-9_.-]{1,100}$")]
    private static partial Regex RepositoryName();

    /// <summary>Field errors of <paramref name="request"/>, the environments' existence aside (the store checks those).</summary>
    public static ValidationErrors Validate(BindingRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var errors = new ValidationErrors();
        if (string.IsNullOrEmpty(request.Repository)) errors.Add("repository", "Required: owner/name.");
        else if (!RepositoryName().IsMatch(request.Repository)) errors.Add("repository", "Must be owner/name, as on GitHub.");
        if (request.StagingEnvironment is null && request.ProdEnvironment is null)
            errors.Add("prodEnvironment", "Name a prod environment, a staging environment, or both.");
        if (request.Actions is { } actions)
        {
            if (actions.Count == 0) errors.Add("actions", $"Must name at least one of: {string.Join(", ", StartActions)}.");
            foreach (var a in actions.Where(a => !StartActions.Contains(a)))
                errors.Add("actions", $"'{a}' cannot start a rollout; allowed: {string.Join(", ", StartActions)} (deleted and unpublished follow onRemoved).");
        }
        if (request.OnRemoved is { } removed && removed is not (Nothing or Rollback))
            errors.Add("onRemoved", $"Must be '{Nothing}' or '{Rollback}'.");
        if (request.SpecPath is { } path && (path.Length == 0 || path.StartsWith('/') || path.Split('/').Any(p => p is "" or "." or "..")))
            errors.Add("specPath", "Must be a relative path inside the repository, such as .orchestrator/rollout.yaml.");
        if (request.InstallationId is <= 0) errors.Add("installationId", "Must be a positive GitHub App installation id.");
        if (request.Secret is { } secret && !(SecretReference.IsSecret(secret) && SecretReference.IsValidName(SecretReference.NameOf(secret))))
            errors.Add("secret", $"Must be {SecretReference.Scheme}NAME, naming a stored secret (orchestrator secrets set NAME); the name is {SecretReference.NameRule}.");
        return errors;
    }
}
