using System.Text.Json.Nodes;

namespace CloudTargets.Google;

/// <summary>IAM service account calls and Resource Manager project policy calls. IAM's
/// <c>serviceAccounts.getIamPolicy</c> takes no body: the policy version goes in the query string; Resource Manager's
/// <c>projects.getIamPolicy</c> takes it in the body.</summary>
public sealed class IamRequests(GoogleEndpoints endpoints, GkeTarget target)
{
    public const int PolicyVersion = 3;

    public static IReadOnlyList<string> ProjectRoles { get; } = ["roles/storage.objectUser", "roles/storage.insightsCollectorService"];

    public const string WorkloadIdentityUserRole = "roles/iam.workloadIdentityUser";

    public CloudRequest CreateServiceAccount() => new("POST", IamUrl($"projects/{target.Project}/serviceAccounts"), new JsonObject
    {
        ["accountId"] = target.ServiceAccountId,
        ["serviceAccount"] = new JsonObject { ["displayName"] = $"JetStream serving ({target.Environment})" },
    });

    public CloudRequest GetServiceAccount() => new("GET", IamUrl(target.ServiceAccountPath));

    public CloudRequest DeleteServiceAccount() => new("DELETE", IamUrl(target.ServiceAccountPath));

    public CloudRequest GetServiceAccountPolicy() =>
        new("POST", IamUrl($"{target.ServiceAccountPath}:getIamPolicy?options.requestedPolicyVersion={PolicyVersion}"));

    public CloudRequest SetServiceAccountPolicy(JsonObject policy) =>
        new("POST", IamUrl($"{target.ServiceAccountPath}:setIamPolicy"), new JsonObject { ["policy"] = policy });

    public CloudRequest GetProjectPolicy() => new("POST", ResourceManagerUrl($"projects/{target.Project}:getIamPolicy"), new JsonObject
    {
        ["options"] = new JsonObject { ["requestedPolicyVersion"] = PolicyVersion },
    });

    public CloudRequest SetProjectPolicy(JsonObject policy) =>
        new("POST", ResourceManagerUrl($"projects/{target.Project}:setIamPolicy"), new JsonObject { ["policy"] = policy });

    public string ServiceAccountMember => $"serviceAccount:{target.ServiceAccountEmail}";

    private string IamUrl(string path) => new Uri(endpoints.Iam, $"v1/{path}").ToString();

    private string ResourceManagerUrl(string path) => new Uri(endpoints.ResourceManager, $"v1/{path}").ToString();
}
