using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace CloudTargets.Tests.Fakes;

/// <summary>The IAM and Resource Manager part: service accounts (eventually consistent after create) and whole-policy
/// read-modify-write with etags (a stale etag is 409 ABORTED).</summary>
internal sealed partial class FakeGoogleCloud
{
    public const string OtherMember = "user:someone-else@example.com";
    private readonly Dictionary<string, JsonObject> _serviceAccounts = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _invisibleReads = new(StringComparer.Ordinal);
    private readonly Dictionary<string, JsonObject> _policies = new(StringComparer.Ordinal);

    public bool ServiceAccountExists(string email)
    {
        lock (_gate)
        {
            return _serviceAccounts.ContainsKey(email);
        }
    }

    /// <summary>A policy by resource: <c>projects/P</c> or <c>projects/P/serviceAccounts/EMAIL</c>.</summary>
    public JsonObject Policy(string resource)
    {
        lock (_gate)
        {
            return PolicyOf(resource).DeepClone().AsObject();
        }
    }

    private Reply Iam(string method, string path, JsonNode? body, string text)
    {
        if (ServiceAccountsPath().Match(path) is { Success: true } create && method == "POST")
        {
            return CreateServiceAccount(create.Groups[1].Value, body);
        }

        if (ServiceAccountPath().Match(path) is not { Success: true } match)
        {
            return Reply.GoogleError(404, "NOT_FOUND", $"Method not found: {method} {path}");
        }

        var email = match.Groups[2].Value;
        var resource = $"projects/{match.Groups[1].Value}/serviceAccounts/{email}";
        if (!_serviceAccounts.TryGetValue(email, out var account))
        {
            return Reply.NotFound($"Service account {resource}");
        }

        switch (match.Groups[3].Value, method)
        {
            case ("", "GET"):
                if (_invisibleReads.GetValueOrDefault(email) > 0)
                {
                    _invisibleReads[email]--;
                    return Reply.NotFound($"Service account {resource}");
                }

                return Reply.Ok(account.DeepClone());
            case ("", "DELETE"):
                _serviceAccounts.Remove(email);
                _policies.Remove(resource);
                return Reply.Ok(new JsonObject());
            case (":getIamPolicy", "POST"):
                // serviceAccounts.getIamPolicy has no body in its HTTP rule: the version goes in the query string.
                return text.Length > 0
                    ? Reply.GoogleError(400, "INVALID_ARGUMENT", "Invalid JSON payload received. Unknown name: this method takes no request body (use options.requestedPolicyVersion in the query).")
                    : Reply.Ok(PolicyOf(resource).DeepClone());
            case (":setIamPolicy", "POST"):
                return SetPolicy(resource, body);
        }

        return Reply.GoogleError(404, "NOT_FOUND", $"Method not found: {method} {path}");
    }

    private Reply CreateServiceAccount(string project, JsonNode? body)
    {
        if (CheckBody("google.iam.admin.v1.CreateServiceAccountRequest", body) is { } bad)
        {
            return bad;
        }

        var id = (string?)body?["accountId"] ?? "";
        if (!AccountId().IsMatch(id))
        {
            return Reply.GoogleError(400, "INVALID_ARGUMENT", $"Invalid value for accountId: \"{id}\" must be 6-30 characters, lowercase letters, digits and dashes.", "account_id");
        }

        var email = $"{id}@{project}.iam.gserviceaccount.com";
        if (_serviceAccounts.ContainsKey(email))
        {
            return Reply.GoogleError(409, "ALREADY_EXISTS", $"Service account {id} already exists within project projects/{project}.");
        }

        var account = new JsonObject
        {
            ["name"] = $"projects/{project}/serviceAccounts/{email}",
            ["projectId"] = project,
            ["uniqueId"] = Random.Shared.NextInt64(100000000000, 999999999999).ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["email"] = email,
            ["displayName"] = (string?)body?["serviceAccount"]?["displayName"],
        };
        _serviceAccounts[email] = account;
        _invisibleReads[email] = ServiceAccountInvisibleReads;
        return Reply.Ok(account.DeepClone());
    }

    private Reply ResourceManager(string method, string path, JsonNode? body)
    {
        if (ProjectPolicyPath().Match(path) is not { Success: true } match || method != "POST")
        {
            return Reply.GoogleError(404, "NOT_FOUND", $"Method not found: {method} {path}");
        }

        var resource = $"projects/{match.Groups[1].Value}";
        if (match.Groups[2].Value == "getIamPolicy")
        {
            return CheckBody("google.iam.v1.GetIamPolicyRequest", body) ?? Reply.Ok(PolicyOf(resource).DeepClone());
        }

        if (ConcurrentProjectPolicyWrites > 0)
        {
            ConcurrentProjectPolicyWrites--;
            var policy = PolicyOf(resource);
            CloudTargets.Google.PolicyBindings.Add(policy, "roles/viewer", OtherMember);
            policy["etag"] = NewEtag();
        }

        return SetPolicy(resource, body);
    }

    private Reply SetPolicy(string resource, JsonNode? body)
    {
        if (CheckBody("google.iam.v1.SetIamPolicyRequest", body) is { } bad)
        {
            return bad;
        }

        var current = PolicyOf(resource);
        var policy = body?["policy"]?.AsObject().DeepClone().AsObject() ?? [];
        if (policy["etag"] is { } etag && (string?)etag != (string?)current["etag"])
        {
            return Reply.GoogleError(409, "ABORTED",
                "There were concurrent policy changes. Please retry the whole read-modify-write with exponential backoff.");
        }

        policy["etag"] = NewEtag();
        _policies[resource] = policy;
        return Reply.Ok(policy.DeepClone());
    }

    private JsonObject PolicyOf(string resource)
    {
        if (!_policies.TryGetValue(resource, out var policy))
        {
            policy = new JsonObject { ["version"] = 1, ["etag"] = NewEtag() };
            if (!resource.Contains("/serviceAccounts/", StringComparison.Ordinal))
            {
                policy["bindings"] = new JsonArray(new JsonObject { ["role"] = "roles/owner", ["members"] = new JsonArray("user:owner@example.com") });
            }

            _policies[resource] = policy;
        }

        return policy;
    }

    [GeneratedRegex("^/v1/projects/([^/]+)/serviceAccounts$")]
    private static partial Regex ServiceAccountsPath();

    [GeneratedRegex("^/v1/projects/([^/]+)/serviceAccounts/([^/:]+)(:getIamPolicy|:setIamPolicy)?$")]
    private static partial Regex ServiceAccountPath();

    [GeneratedRegex("^/v1/projects/([^/:]+):(getIamPolicy|setIamPolicy)$")]
    private static partial Regex ProjectPolicyPath();

    [GeneratedRegex("^[a-z]([-a-z0-9]{4,28}[a-z0-9])$")]
    private static partial Regex AccountId();
}
