using System.Text.Json.Nodes;

namespace CloudTargets.Tests.Fakes;

/// <summary>A GKE long-running operation: PENDING, then RUNNING for a number of polls, then DONE (with an error or not).</summary>
internal sealed class FakeOperation(string name, string type, string target, Action<FakeOperation> onDone)
{
    public string Name { get; } = name;
    public string Type { get; } = type;
    public DateTime StartedAt { get; } = DateTime.UtcNow;
    public string Target { get; } = target;
    public Action<FakeOperation> OnDone { get; } = onDone;
    public string Status { get; set; } = "PENDING";
    public int PollsLeft { get; set; }
    public JsonObject? Error { get; set; }

    public JsonObject ToJson(string location)
    {
        var json = new JsonObject
        {
            ["name"] = Name,
            ["operationType"] = Type,
            ["status"] = Status,
            ["location"] = location,
            ["selfLink"] = $"https://container.googleapis.com/v1/projects/{Target.Split('/')[1]}/locations/{location}/operations/{Name}",
            ["targetLink"] = $"https://container.googleapis.com/v1/{Target}",
        };
        if (Error is not null)
        {
            json["error"] = Error.DeepClone();
        }

        return json;
    }
}
