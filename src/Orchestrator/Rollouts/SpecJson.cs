using System.Text.Json;
using System.Text.Json.Serialization;
using Contracts;

namespace Orchestrator.Rollouts;

/// <summary>
/// How user-written bodies are read: <see cref="ContractJson.Strict"/> (unknown members rejected) without the web
/// defaults' leniency, so that <c>batchsize</c> is an unknown field and <c>"8"</c> is not a number.
/// </summary>
public static class SpecJson
{
    public static readonly JsonSerializerOptions Strict = Create();

    private static JsonSerializerOptions Create()
    {
        var options = new JsonSerializerOptions(ContractJson.Strict)
        {
            PropertyNameCaseInsensitive = false,
            NumberHandling = JsonNumberHandling.Strict,
        };
        options.MakeReadOnly(populateMissingResolver: true);
        return options;
    }
}
