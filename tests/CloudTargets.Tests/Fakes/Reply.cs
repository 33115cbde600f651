using System.Text.Json.Nodes;

namespace CloudTargets.Tests.Fakes;

/// <summary>A fake's answer: status and JSON body (null: no body).</summary>
internal sealed record Reply(int Status, JsonNode? Body)
{
    public static Reply Ok(JsonNode body) => new(200, body);

    /// <summary>Google's error shape: <c>{"error": {"code", "message", "status"}}</c>.</summary>
    public static Reply GoogleError(int code, string status, string message, string? field = null)
    {
        var error = new JsonObject { ["code"] = code, ["message"] = message, ["status"] = status };
        if (field is not null)
        {
            error["details"] = new JsonArray(new JsonObject
            {
                ["@type"] = "type.googleapis.com/google.rpc.BadRequest",
                ["fieldViolations"] = new JsonArray(new JsonObject { ["field"] = field, ["description"] = message }),
            });
        }

        return new Reply(code, new JsonObject { ["error"] = error });
    }

    public static Reply NotFound(string what) => GoogleError(404, "NOT_FOUND", $"{what} not found.");
}
