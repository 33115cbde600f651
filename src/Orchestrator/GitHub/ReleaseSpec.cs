using System.Text.Json;
using System.Text.Json.Nodes;
using Contracts.Specs;
using Orchestrator.Rollouts;
using YamlDotNet.Core;

namespace Orchestrator.GitHub;

/// <summary>
/// The rollout spec a release carries: the repository's spec file at the release's tag (YAML or JSON, read as the CLI
/// reads spec files), with <c>{tag}</c> replaced by the tag in every string (<c>hf://org/name@{tag}</c>) and the
/// environment set to the binding's target. Checked by <see cref="SpecValidator"/> like a spec sent to the API.
/// </summary>
public static class ReleaseSpec
{
    public const string TagPlaceholder = "{tag}";

    /// <summary>The spec, or why it cannot be rolled out (field: message, as the API would say it).</summary>
    public static (RolloutSpec? Spec, string? Error) Parse(string text, string path, string tag, string environment)
    {
        ArgumentNullException.ThrowIfNull(text);
        JsonNode? node;
        try
        {
            node = text.TrimStart().StartsWith('{') ? JsonNode.Parse(text) : SpecYaml.ToJson(text);
        }
        catch (Exception e) when (e is JsonException or YamlException or InvalidCastException)
        {
            return (null, $"{path} at {tag} is not a valid YAML or JSON document: {e.Message}");
        }
        if (node is not JsonObject spec) return (null, $"{path} at {tag} must be a mapping (environment, model, …).");
        Fill(spec, tag);
        spec["environment"] = environment;

        RolloutSpec? parsed;
        try
        {
            parsed = spec.Deserialize<RolloutSpec>(SpecJson.Strict);
        }
        catch (JsonException e)
        {
            return (null, $"{path} at {tag}: {JsonBody.FieldPath(e.Path ?? "$")}: {e.Message.Split(". ")[0]}.");
        }
        if (parsed is null) return (null, $"{path} at {tag} is empty.");
        var errors = SpecValidator.Validate(parsed).ToDictionary();
        return errors.Count == 0 ? (parsed, null)
            : (null, $"{path} at {tag} is invalid: " + string.Join("; ", errors.Select(kv => $"{kv.Key}: {string.Join(" ", kv.Value)}")));
    }

    private static void Fill(JsonNode node, string tag)
    {
        switch (node)
        {
            case JsonObject o:
                foreach (var (key, child) in o.ToList())
                {
                    if (child is JsonValue v && v.TryGetValue<string>(out var s)) o[key] = s.Replace(TagPlaceholder, tag, StringComparison.Ordinal);
                    else if (child is not null) Fill(child, tag);
                }
                break;
            case JsonArray a:
                for (var i = 0; i < a.Count; i++)
                {
                    if (a[i] is JsonValue v && v.TryGetValue<string>(out var s)) a[i] = s.Replace(TagPlaceholder, tag, StringComparison.Ordinal);
                    else if (a[i] is { } child) Fill(child, tag);
                }
                break;
        }
    }
}
