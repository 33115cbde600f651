namespace Runner.HuggingFace;

/// <summary>Which Hugging Face Hub the runner talks to: a configured URL, else <c>HF_ENDPOINT</c> (the variable the
/// Hub's own tools read, e.g. for a mirror), else <c>https://huggingface.co</c>.</summary>
internal static class HubEndpoint
{
    public const string Public = "https://huggingface.co";
    public const string Variable = "HF_ENDPOINT";

    public static Uri Default(string? configured = null)
    {
        var value = configured is { Length: > 0 } ? configured
            : Environment.GetEnvironmentVariable(Variable) is { Length: > 0 } fromEnvironment ? fromEnvironment
            : Public;
        return Uri.TryCreate(value.TrimEnd('/') + "/", UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https"
            ? uri
            : throw new ArgumentException($"the Hugging Face endpoint '{value}' is not an absolute http or https URL");
    }
}
