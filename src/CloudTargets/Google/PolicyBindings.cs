using System.Text.Json.Nodes;

namespace CloudTargets.Google;

/// <summary>The modify part of IAM's read-modify-write: adds a member to a role in a policy as read, keeping every other
/// binding, member, condition and the etag (which makes a concurrent change fail with ABORTED instead of being lost).</summary>
public static class PolicyBindings
{
    /// <returns>Whether the policy changed (false: the member already had the role, nothing to write).</returns>
    public static bool Add(JsonObject policy, string role, string member)
    {
        ArgumentNullException.ThrowIfNull(policy);
        if (policy["bindings"] is not JsonArray bindings)
        {
            bindings = [];
            policy["bindings"] = bindings;
        }

        // Only an unconditional binding grants the role outright; a conditional one with the same role is left alone.
        var binding = bindings.OfType<JsonObject>().FirstOrDefault(b => (string?)b["role"] == role && b["condition"] is null);
        if (binding is null)
        {
            bindings.Add(new JsonObject { ["role"] = role, ["members"] = new JsonArray(member) });
        }
        else if (binding["members"] is JsonArray members)
        {
            if (members.Any(m => (string?)m == member))
            {
                return false;
            }

            members.Add(member);
        }
        else
        {
            binding["members"] = new JsonArray(member);
        }

        policy["version"] = IamRequests.PolicyVersion;
        return true;
    }

    public static bool Has(JsonObject policy, string role, string member) =>
        policy?["bindings"] is JsonArray bindings && bindings.OfType<JsonObject>().Any(
            b => (string?)b["role"] == role && b["members"] is JsonArray members && members.Any(m => (string?)m == member));
}
