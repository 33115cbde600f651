using Runner.Kubernetes;

namespace Runner.HuggingFace;

/// <summary>Resolves the Hugging Face token reference of a spec (<c>file:///path</c>), for every target. The token itself
/// never goes into a log line, an output or a plan; the agent's secret masker learns it too.</summary>
internal static class TokenReference
{
    /// <param name="field">The spec field the reference came from, named in every error.</param>
    public static async Task<string> ResolveAsync(string reference, string field, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(reference))
        {
            throw new StepFailedException($"{field} is empty: give a file:///path reference to the Hugging Face token");
        }

        if (!reference.StartsWith("file://", StringComparison.Ordinal))
        {
            throw new StepFailedException($"{field}: only file:///path references are supported by this runner, not '{reference}'");
        }

        var path = new Uri(reference).LocalPath;
        if (!File.Exists(path))
        {
            throw new StepFailedException($"{field}: {path} does not exist on runner");
        }

        var token = (await File.ReadAllTextAsync(path, cancellationToken)).Trim();
        return token.Length > 0 ? token : throw new StepFailedException($"{field}: {path} is empty");
    }
}
