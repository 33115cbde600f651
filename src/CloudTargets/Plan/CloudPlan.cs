using System.Text.Json.Nodes;
using CloudTargets.Google;
using CloudTargets.Kubernetes;
using Contracts;
using Contracts.Specs;

namespace CloudTargets.Plan;

/// <summary>The plan preview of a <c>gke</c> or <c>kubernetes</c> rollout, built by the same builders the runner sends
/// from, without calling anything. Policy writes show the bindings they add; the live policy (and its etag) is read at
/// run time and kept whole.</summary>
public static class CloudPlan
{
    public const string EtagPlaceholder = "<etag from getIamPolicy>";

    public static bool Applies(RolloutSpec spec) =>
        spec?.Target.Kind is TargetKinds.Gke or TargetKinds.Kubernetes;

    /// <param name="hasStable">Whether the environment already serves a stable revision (a new one then starts as a canary).</param>
    public static StepPreview Describe(RolloutSpec spec, string revision, string kind, JsonObject parameters, bool hasStable, GoogleEndpoints? endpoints = null)
    {
        ArgumentNullException.ThrowIfNull(spec);
        endpoints ??= GoogleEndpoints.Public;
        var requests = new List<CloudRequest>();
        var preview = new JsonArray();
        var manifests = new List<JsonObject>();
        var objects = new Manifests(spec, revision);
        var gke = spec.Target.Kind == TargetKinds.Gke ? GkeTarget.From(spec) : null;
        switch (kind)
        {
            case StepKinds.ClusterEnsure when gke is not null:
                var cluster = new GkeRequests(endpoints, gke);
                requests.AddRange([cluster.GetCluster(), cluster.CreateCluster()]);
                break;
            case StepKinds.NodePoolEnsure when gke is { Standard: true }:
                NodePool(new GkeRequests(endpoints, gke), gke, preview);
                break;
            case StepKinds.BucketEnsure when gke is not null:
                var storage = new StorageRequests(endpoints, gke);
                requests.AddRange([storage.GetBucket(), storage.CreateBucket()]);
                break;
            case StepKinds.IdentityEnsure when gke is not null:
                requests.AddRange(Identity(new IamRequests(endpoints, gke), gke));
                manifests.Add(objects.ServiceAccountAnnotation(gke.ServiceAccountEmail));
                break;
            case StepKinds.SecretEnsure:
                manifests.Add(objects.Secret(token: null));
                break;
            case StepKinds.CheckpointConvert when !objects.NeedsConversion:
                // model.load: server: the engine downloads the model itself; nothing to convert or to mark.
                break;
            case StepKinds.CheckpointConvert:
                var model = objects.Model;
                var bucket = objects.Target.Bucket;
                var byRunner = GkeConversions.ByRunner(spec);
                if (!string.IsNullOrEmpty(bucket)) requests.Add(CheckpointMarker.Read(endpoints, bucket, model.MarkerObject));
                // The runner converts and uploads itself (resumable uploads of the converted files); otherwise the Job.
                if (byRunner) requests.AddRange(new[] { model.CheckpointObject, model.TokenizerObject }.Select(name => CheckpointMarker.ResumableUpload(endpoints, bucket, name)));
                else manifests.Add(objects.ConverterJob());
                if (!string.IsNullOrEmpty(bucket))
                {
                    requests.Add(CheckpointMarker.Write(endpoints, bucket, model.MarkerObject, new JsonObject
                    {
                        ["source"] = model.SourceId,
                        ["objects"] = CheckpointMarker.ObjectsPlaceholder,
                    }));
                }

                break;
            case StepKinds.EngineDeploy:
                manifests.Add(objects.Service());
                manifests.Add(objects.Deployment(hasStable ? 1 : spec.Engine.Replicas));
                if (objects.PodMonitoring() is { } monitoring) manifests.Add(monitoring);
                break;
            // The HPA is applied once the revision takes all traffic (see Runner.Kubernetes.AutoscalerHandler).
            case StepKinds.RevisionPromote when objects.HorizontalPodAutoscaler() is { } hpa:
                manifests.Add(hpa);
                break;
        }

        foreach (var request in requests)
        {
            preview.Add(request.ToJson());
        }

        return new StepPreview(
            preview,
            new JsonArray(manifests.Select(m => (JsonNode)m).ToArray()));
    }

    // The first zone's create is what is sent from nothing; each later zone's delete and create only after a stock-out
    // in the zone before it, which "when" says.
    private static void NodePool(GkeRequests pool, GkeTarget gke, JsonArray preview)
    {
        preview.Add(pool.GetNodePool().ToJson());
        preview.Add(pool.CreateNodePool(gke.Zones[0]).ToJson());
        for (var i = 1; i < gke.Zones.Count; i++)
        {
            var when = $"zone {gke.Zones[i - 1]} is stocked out";
            var delete = pool.DeleteNodePool().ToJson();
            delete["when"] = when;
            var create = pool.CreateNodePool(gke.Zones[i]).ToJson();
            create["when"] = when;
            preview.Add(delete);
            preview.Add(create);
        }
    }

    private static IEnumerable<CloudRequest> Identity(IamRequests iam, GkeTarget gke)
    {
        yield return iam.GetServiceAccount();
        yield return iam.CreateServiceAccount();
        var project = new JsonObject { ["etag"] = EtagPlaceholder, ["bindings"] = new JsonArray() };
        foreach (var role in IamRequests.ProjectRoles)
        {
            PolicyBindings.Add(project, role, iam.ServiceAccountMember);
        }

        yield return iam.GetProjectPolicy();
        yield return iam.SetProjectPolicy(project);
        var account = new JsonObject { ["etag"] = EtagPlaceholder, ["bindings"] = new JsonArray() };
        PolicyBindings.Add(account, IamRequests.WorkloadIdentityUserRole, gke.WorkloadIdentityMember);
        yield return iam.GetServiceAccountPolicy();
        yield return iam.SetServiceAccountPolicy(account);
    }
}
