using System.Text.Json;
using System.Text.Json.Serialization;

namespace Contracts.Specs;

/// <summary>Reads a pause written as a duration string or as an object; writes the string form when timed.</summary>
public sealed class PauseSpecConverter : JsonConverter<PauseSpec>
{
    public override PauseSpec? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        switch (reader.TokenType)
        {
            case JsonTokenType.String:
                return new PauseSpec { Duration = reader.GetString() };
            case JsonTokenType.StartObject:
                string? duration = null;
                while (reader.Read() && reader.TokenType != JsonTokenType.EndObject)
                {
                    var name = reader.GetString();
                    reader.Read();
                    if (!string.Equals(name, "duration", StringComparison.OrdinalIgnoreCase))
                        throw new JsonException($"pause has no member '{name}': give a duration such as 30s, or {{}} to wait until promoted.");
                    duration = reader.TokenType == JsonTokenType.Null ? null : reader.TokenType == JsonTokenType.String
                        ? reader.GetString()
                        : throw new JsonException("pause.duration must be a string such as 30s.");
                }
                return new PauseSpec { Duration = duration };
            default:
                throw new JsonException("pause must be a duration such as 30s, or {} to wait until promoted.");
        }
    }

    public override void Write(Utf8JsonWriter writer, PauseSpec value, JsonSerializerOptions options)
    {
        if (value.Duration is { } duration) writer.WriteStringValue(duration);
        else
        {
            writer.WriteStartObject();
            writer.WriteEndObject();
        }
    }
}
