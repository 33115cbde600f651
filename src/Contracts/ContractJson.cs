using System.Text.Json;
using System.Text.Json.Serialization;

namespace Contracts;

/// <summary>The one JSON shape used on every wire of the product: camelCase, enums as strings, nulls omitted.</summary>
public static class ContractJson
{
    public static readonly JsonSerializerOptions Options = Create(strict: false);

    /// <summary>Rejects unknown members; used to read user-written specs so that a typo is an error, not a default.</summary>
    public static readonly JsonSerializerOptions Strict = Create(strict: true);

    private static JsonSerializerOptions Create(bool strict)
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web)
        {
            DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
            UnmappedMemberHandling = strict ? JsonUnmappedMemberHandling.Disallow : JsonUnmappedMemberHandling.Skip,
        };
        options.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.CamelCase));
        options.MakeReadOnly(populateMissingResolver: true);
        return options;
    }
}
