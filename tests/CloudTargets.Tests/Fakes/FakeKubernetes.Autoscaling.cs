using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using CloudTargets.Tests.Schemas;
using k8s.Models;

namespace CloudTargets.Tests.Fakes;

/// <summary>
/// HorizontalPodAutoscalers and PodMonitorings. <c>shared/schemas/kubernetes</c> holds core v1, apps v1 and batch v1
/// only, so neither has an OpenAPI document here: an HPA is checked by deserialising it into KubernetesClient's typed
/// <see cref="V2HorizontalPodAutoscaler"/> with unmapped members refused (a misspelt or misplaced field is a 400, as
/// under strict field validation) plus the fields the API server requires; a PodMonitoring against the fields of
/// Google Cloud Managed Service for Prometheus' <c>monitoring.googleapis.com/v1</c> CRD. Create answers 409 when the
/// object exists, merge patch 404 when it does not.
/// </summary>
internal sealed partial class FakeKubernetes
{
    private static readonly JsonSerializerOptions StrictTyped = new()
    {
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        PropertyNameCaseInsensitive = false,
    };

    // The PodMonitoring CRD's fields (spec, endpoints, target labels, limits), by path with [] for list items.
    private static readonly HashSet<string> PodMonitoringFields =
    [
        "apiVersion", "kind", "metadata", "metadata.name", "metadata.namespace", "metadata.labels", "metadata.annotations",
        "spec", "spec.selector", "spec.selector.matchLabels", "spec.selector.matchExpressions", "spec.endpoints", "spec.endpoints[]",
        "spec.endpoints[].port", "spec.endpoints[].scheme", "spec.endpoints[].interval", "spec.endpoints[].timeout",
        "spec.endpoints[].path", "spec.endpoints[].params", "spec.endpoints[].proxyUrl", "spec.endpoints[].metricRelabeling",
        "spec.endpoints[].authorization", "spec.endpoints[].basicAuth", "spec.endpoints[].oauth2", "spec.endpoints[].tls",
        "spec.targetLabels", "spec.targetLabels.fromPod", "spec.targetLabels.metadata", "spec.limits", "spec.filterRunning",
    ];

    private static (List<string> Strict, List<string> Required) Validate(string kind, JsonObject obj) => kind switch
    {
        "HorizontalPodAutoscaler" => ValidateHpa(obj),
        "PodMonitoring" => ValidatePodMonitoring(obj),
        _ => KubeSchema.Instance.Validate(kind, obj),
    };

    private static (List<string>, List<string>) ValidateHpa(JsonObject obj)
    {
        V2HorizontalPodAutoscaler? hpa;
        try
        {
            hpa = JsonSerializer.Deserialize<V2HorizontalPodAutoscaler>(obj.ToJsonString(), StrictTyped);
        }
        catch (JsonException e)
        {
            return ([$".{e.Path}: {e.Message}"], []);
        }

        var required = new List<string>();
        if ((string?)obj["apiVersion"] != "autoscaling/v2") required.Add("apiVersion: must be autoscaling/v2");
        if (hpa?.Spec?.ScaleTargetRef is not { Kind.Length: > 0, Name.Length: > 0 }) required.Add("spec.scaleTargetRef: Required value");
        if (hpa?.Spec is { MaxReplicas: < 1 }) required.Add("spec.maxReplicas: must be greater than or equal to 1");
        if (hpa?.Spec is { MinReplicas: { } min, MaxReplicas: var max } && (min < 1 || min > max))
            required.Add("spec.minReplicas: must be between 1 and maxReplicas");
        foreach (var (metric, i) in (hpa?.Spec?.Metrics ?? []).Select((m, i) => (m, i)))
        {
            if (metric.Type == "Pods" && metric.Pods?.Metric?.Name is not { Length: > 0 }) required.Add($"spec.metrics[{i}].pods.metric.name: Required value");
            if (metric.Type == "Pods" && metric.Pods?.Target is not { Type: "AverageValue", AverageValue: not null })
                required.Add($"spec.metrics[{i}].pods.target: must have type AverageValue with averageValue");
        }

        return ([], required);
    }

    private static (List<string>, List<string>) ValidatePodMonitoring(JsonObject obj)
    {
        var strict = new List<string>();
        Walk(obj, "", strict);
        var required = new List<string>();
        if ((string?)obj["apiVersion"] != "monitoring.googleapis.com/v1") strict.Add("apiVersion: must be monitoring.googleapis.com/v1");
        if (obj["spec"]?["endpoints"] is not JsonArray { Count: > 0 } endpoints) required.Add("spec.endpoints: Required value");
        else if (endpoints.Any(e => e?["port"] is null)) required.Add("spec.endpoints[].port: Required value");
        if (obj["spec"]?["selector"] is null) required.Add("spec.selector: Required value");
        return (strict, required);
    }

    private static void Walk(JsonNode? node, string path, List<string> strict)
    {
        // Free-form maps: label and annotation keys are the user's.
        if (path is "metadata.labels" or "metadata.annotations" or "spec.selector.matchLabels") return;
        switch (node)
        {
            case JsonObject obj:
                foreach (var (key, value) in obj)
                {
                    var child = path.Length == 0 ? key : $"{path}.{key}";
                    if (!PodMonitoringFields.Contains(child)) strict.Add($".{child}: field not declared in schema");
                    else Walk(value, child, strict);
                }

                break;
            case JsonArray array:
                foreach (var item in array) Walk(item, path + "[]", strict);
                break;
        }
    }

    private Reply Create(string resource, string ns, JsonNode? body, string? fieldValidation)
    {
        if (body is not JsonObject obj || (string?)obj["kind"] is not { } kind || (string?)obj["metadata"]?["name"] is not { } name)
        {
            return Status(400, "BadRequest", "the object must have apiVersion, kind and metadata.name");
        }

        if (_objects.ContainsKey((resource, ns, name)))
        {
            return Status(409, "AlreadyExists", $"{resource} \"{name}\" already exists");
        }

        var reply = Apply(resource, ns, name, obj, fieldValidation);
        return reply.Status == 200 ? reply with { Status = 201 } : reply;
    }

    /// <summary>RFC 7386: objects merge, null removes, anything else replaces; the result must still validate.</summary>
    private Reply MergePatch(string resource, string ns, string name, JsonNode? body)
    {
        if (!_objects.TryGetValue((resource, ns, name), out var stored))
        {
            return Status(404, "NotFound", $"{resource} \"{name}\" not found");
        }

        if (body is not JsonObject patch)
        {
            return Status(400, "BadRequest", "a merge patch must be a JSON object");
        }

        var merged = stored.DeepClone().AsObject();
        MergeInto(merged, patch);
        var (strict, required) = Validate((string)merged["kind"]!, merged);
        if (strict.Count > 0 || required.Count > 0)
        {
            return Status(422, "Invalid", $"{name} is invalid: {string.Join("; ", strict.Concat(required))}");
        }

        merged["metadata"]!["resourceVersion"] = (++_version).ToString(System.Globalization.CultureInfo.InvariantCulture);
        _objects[(resource, ns, name)] = merged;
        return new Reply(200, WithStatus(resource, merged));
    }

    private static void MergeInto(JsonObject target, JsonObject patch)
    {
        foreach (var (key, value) in patch.ToList())
        {
            if (value is null) target.Remove(key);
            else if (value is JsonObject child && target[key] is JsonObject existing) MergeInto(existing, child);
            else target[key] = value.DeepClone();
        }
    }
}
