using System.Text.Json;
using System.Text.Json.Nodes;
using Contracts.Specs;
using YamlDotNet.Core;

namespace Orchestrator.Cli;

/// <summary>Reads a rollout spec file (YAML or JSON; <c>-</c> is stdin) into the JSON the API takes. The service
/// validates it; here we only refuse what is not a document at all.</summary>
public static class SpecFile
{
    public static JsonNode Read(string path, TextReader stdin)
    {
        ArgumentNullException.ThrowIfNull(stdin);
        string text;
        try
        {
            text = path == "-" ? stdin.ReadToEnd() : File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new UsageException($"cannot read {path}: {e.Message}");
        }
        try
        {
            var node = LooksLikeJson(path, text) ? JsonNode.Parse(text) : SpecYaml.ToJson(text);
            return node as JsonObject ?? throw new UsageException($"{path}: a rollout spec must be a mapping (environment, model, …)");
        }
        catch (JsonException e)
        {
            throw new UsageException($"{path}: not valid JSON: {e.Message}");
        }
        catch (YamlException e)
        {
            throw new UsageException($"{path}: not valid YAML at line {e.Start.Line}, column {e.Start.Column}: {e.Message}");
        }
        catch (InvalidCastException)
        {
            throw new UsageException($"{path}: mapping keys must be plain strings");
        }
    }

    private static bool LooksLikeJson(string path, string text) =>
        path.EndsWith(".json", StringComparison.OrdinalIgnoreCase) || text.TrimStart().StartsWith('{');
}
