using Contracts.Specs;
using Runner.Kubernetes;

namespace Runner.HuggingFace;

/// <summary>Resolves the Hugging Face token reference of a spec, for every target: <c>file:///path</c> (a file on this
/// runner) or <c>secret://NAME</c> (a secret stored in the orchestrator, whose value came with the step's claim). The
/// token itself never goes into a log line, an output or a plan; the agent's secret masker knows it.</summary>
internal static class TokenReference
{
    /// <param name="field">The spec field the reference came from, named in every error.</param>
    /// <param name="secrets">The claim's secret values by reference (<c>StepClaim.Secrets</c>).</param>
    public static async Task<string> ResolveAsync(string reference, string field, IReadOnlyDictionary<string, string> secrets, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(reference))
        {
            throw new StepFailedException($"{field} is empty: give a file:///path or {SecretReference.Scheme}NAME reference to the Hugging Face token");
        }

        if (SecretReference.IsSecret(reference))
        {
            return secrets.TryGetValue(reference, out var value) && value.Trim() is { Length: > 0 } token
                ? token
                : throw new StepFailedException($"{field}: the orchestrator sent no value for {reference}: it is not stored (orchestrator secrets set {SecretReference.NameOf(reference)})");
        }

        if (!reference.StartsWith("file://", StringComparison.Ordinal))
        {
            throw new StepFailedException($"{field}: only file:///path and {SecretReference.Scheme}NAME references are supported by this runner, not '{reference}'");
        }

        var path = new Uri(reference).LocalPath;
        if (!File.Exists(path))
        {
            throw new StepFailedException($"{field}: {path} does not exist on runner");
        }

        var text = (await File.ReadAllTextAsync(path, cancellationToken)).Trim();
        return text.Length > 0 ? text : throw new StepFailedException($"{field}: {path} is empty");
    }
}
