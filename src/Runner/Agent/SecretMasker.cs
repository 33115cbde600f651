using System.Text.RegularExpressions;

namespace Runner.Agent;

/// <summary>Replaces secrets in text that leaves the runner (step logs, error texts): the registered values and
/// anything shaped like an orchestrator or Hugging Face token. Thread safe.</summary>
internal sealed partial class SecretMasker
{
    public const string Mask = "***";
    private readonly Lock _gate = new();
    private string[] _secrets = [];

    public void Add(string? secret)
    {
        if (string.IsNullOrEmpty(secret) || secret.Length < 4)
        {
            return;
        }

        lock (_gate)
        {
            // Longest first, so a secret that contains another is masked whole.
            _secrets = [.. _secrets.Append(secret).Distinct().OrderByDescending(s => s.Length)];
        }
    }

    public string Apply(string text)
    {
        // The orchestrator stores no NUL character (PostgreSQL text cannot hold one): a child's stray NUL goes here.
        text = text.Replace("\0", "", StringComparison.Ordinal);
        foreach (var secret in _secrets)
        {
            text = text.Replace(secret, Mask, StringComparison.Ordinal);
        }

        return TokenShape().Replace(text, Mask);
    }

    [GeneratedRegex(@"\b(orch_(u|r|reg)_[A-Za-z0-9_\-]+|hf_[A-Za-z0-9]{20,})")]
    private static partial Regex TokenShape();
}
