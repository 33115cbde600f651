using System.Text.Json.Nodes;

namespace CloudTargets;

/// <summary>One call to a Google Cloud REST API exactly as it is sent: the runner sends it, the plan preview shows it.
/// <see cref="Body"/> is null for calls without a body (GET, DELETE, IAM <c>serviceAccounts.getIamPolicy</c>).</summary>
public sealed record CloudRequest(string Method, string Url, JsonObject? Body = null)
{
    public JsonObject ToJson() => new()
    {
        ["method"] = Method,
        ["url"] = Url,
        ["body"] = Body?.DeepClone(),
    };
}
