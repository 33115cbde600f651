using System.Text.RegularExpressions;
using CloudTargets.Google;
using Contracts.Specs;

namespace CloudTargets.Preflight;

/// <summary>The names each cloud API would refuse, found before anything is created and reported all at once, by field:
/// service account ids, bucket names, DNS labels, a region with TPU v5e, a known machine type and topology.</summary>
public static partial class CloudPreflight
{
    [GeneratedRegex("^[a-z]([-a-z0-9]*[a-z0-9])?$")]
    private static partial Regex DnsLabel();

    [GeneratedRegex("^[a-z]([-a-z0-9]{4,28})[a-z0-9]$")]
    private static partial Regex ServiceAccountId();

    [GeneratedRegex("^[a-z0-9][-a-z0-9_.]{1,220}[a-z0-9]$")]
    private static partial Regex BucketName();

    [GeneratedRegex("^[a-z][-a-z0-9]{4,28}[a-z0-9]$")]
    private static partial Regex ProjectId();

    [GeneratedRegex(@"^\d+\.\d+\.\d+\.\d+$")]
    private static partial Regex IpAddress();

    public static IReadOnlyList<(string Field, string Message)> Check(RolloutSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var problems = new List<(string, string)>();
        if (spec.Target.Gke is { } gke && spec.Target.Kind == Contracts.Specs.TargetKinds.Gke)
        {
            CheckGke(gke, GkeTarget.From(spec), problems);
        }

        if (spec.Target.Kubernetes is { } kube && spec.Target.Kind == Contracts.Specs.TargetKinds.Kubernetes)
        {
            Label(kube.Namespace, "target.kubernetes.namespace", problems);
            if (!string.IsNullOrEmpty(kube.Bucket))
            {
                Bucket(kube.Bucket, "target.kubernetes.bucket", problems);
            }
        }

        return problems;
    }

    private static void CheckGke(GkeTargetSpec gke, GkeTarget target, List<(string, string)> problems)
    {
        if (!string.IsNullOrEmpty(gke.Project) && !ProjectId().IsMatch(gke.Project))
        {
            problems.Add(("target.gke.project", "A project id has 6 to 30 lowercase letters, digits or hyphens, starts with a letter and does not end with a hyphen."));
        }

        if (!string.IsNullOrEmpty(gke.Region) && !TpuCatalog.Regions.Contains(gke.Region))
        {
            problems.Add(("target.gke.region", $"Region {gke.Region} has no TPU v5e; use one of {string.Join(", ", TpuCatalog.Regions.Order(StringComparer.Ordinal))}."));
        }

        if (!string.IsNullOrEmpty(gke.Location) && !gke.Location.StartsWith(gke.Region + "-", StringComparison.Ordinal))
        {
            problems.Add(("target.gke.location", $"Zone {gke.Location} is not in region {gke.Region}."));
        }

        if (!string.IsNullOrEmpty(gke.Cluster) && (!DnsLabel().IsMatch(gke.Cluster) || gke.Cluster.Length > 40))
        {
            problems.Add(("target.gke.cluster", "A cluster name has at most 40 lowercase letters, digits or hyphens, starts with a letter and ends with a letter or digit."));
        }

        if (!ServiceAccountId().IsMatch(gke.ServiceAccount ?? ""))
        {
            problems.Add(("target.gke.serviceAccount", "A service account id has 6 to 30 lowercase letters, digits or hyphens, starts with a letter and ends with a letter or digit."));
        }

        if (!string.IsNullOrEmpty(gke.Bucket) || !string.IsNullOrEmpty(gke.Project))
        {
            Bucket(target.Bucket, "target.gke.bucket", problems);
        }

        Label(gke.Namespace, "target.gke.namespace", problems);
        Label(gke.KubernetesServiceAccount, "target.gke.kubernetesServiceAccount", problems);
        if (gke.Tpu is { } tpu)
        {
            TpuPlacement(gke, tpu, problems);
            if (!TpuCatalog.ChipsPerHost.ContainsKey(tpu.MachineType ?? ""))
            {
                problems.Add(("target.gke.tpu.machineType", $"Unknown TPU v5e machine type; use one of {string.Join(", ", TpuCatalog.ChipsPerHost.Keys)}."));
            }

            if (!TpuCatalog.Topologies.Contains(tpu.Topology ?? ""))
            {
                problems.Add(("target.gke.tpu.topology", $"Unknown TPU v5e topology; use one of {string.Join(", ", TpuCatalog.Topologies)}."));
            }
        }
    }

    // Zones, Spot and flex-start: each value either changes the request or is refused here, by field.
    private static void TpuPlacement(GkeTargetSpec gke, TpuSpec tpu, List<(string, string)> problems)
    {
        var zones = tpu.Zones ?? [];
        if (zones.Count > 0 && gke.Mode != "standard")
        {
            problems.Add(("target.gke.tpu.zones", "Autopilot has no node pool to place: GKE picks a zone of the region with capacity for each TPU pod. Remove tpu.zones, or use mode: standard."));
        }
        else if (zones.Count > 0)
        {
            var offered = TpuCatalog.Zones.GetValueOrDefault(gke.Region ?? "") ?? [];
            for (var i = 0; i < zones.Count; i++)
            {
                var zone = zones[i] ?? "";
                if (!zone.StartsWith(gke.Region + "-", StringComparison.Ordinal))
                {
                    problems.Add(($"target.gke.tpu.zones[{i}]", $"Zone {zone} is not in region {gke.Region}."));
                }
                else if (!offered.Contains(zone))
                {
                    problems.Add(($"target.gke.tpu.zones[{i}]", $"Zone {zone} has no TPU v5e; in {gke.Region} use {string.Join(", ", offered)}."));
                }
                else if (zones.Take(i).Contains(zone))
                {
                    problems.Add(($"target.gke.tpu.zones[{i}]", $"Zone {zone} is listed twice."));
                }
            }

            if (!string.IsNullOrEmpty(gke.Location) && gke.Location != zones[0])
            {
                problems.Add(("target.gke.location", $"With tpu.zones the node pool goes to {zones[0]} first: give location {zones[0]} or leave it out."));
            }
        }

        if (tpu.Provisioning == "queued")
        {
            problems.Add(("target.gke.tpu.provisioning", "Queued provisioning (NodePool.queuedProvisioning) only admits pods through ProvisioningRequest objects, which this orchestrator does not create; use flex-start or on-demand."));
        }
        else if (tpu.Provisioning is not (TpuSpec.OnDemand or TpuSpec.FlexStart))
        {
            problems.Add(("target.gke.tpu.provisioning", $"Must be {TpuSpec.OnDemand} or {TpuSpec.FlexStart}."));
        }

        if (tpu.Spot && tpu.Provisioning == TpuSpec.FlexStart)
        {
            problems.Add(("target.gke.tpu.spot", "Flex-start VMs are not Spot VMs: choose tpu.spot or provisioning: flex-start, not both."));
        }
    }

    private static void Label(string? value, string field, List<(string, string)> problems)
    {
        if (string.IsNullOrEmpty(value) || value.Length > 63 || !DnsLabel().IsMatch(value))
        {
            problems.Add((field, "Must be a DNS label: at most 63 lowercase letters, digits or hyphens, starting with a letter and ending with a letter or digit."));
        }
    }

    private static void Bucket(string name, string field, List<(string, string)> problems)
    {
        if (!BucketName().IsMatch(name) || name.Length > 63 && !name.Contains('.', StringComparison.Ordinal)
            || IpAddress().IsMatch(name) || name.StartsWith("goog", StringComparison.Ordinal) || name.Contains("google", StringComparison.Ordinal)
            || name.Contains("..", StringComparison.Ordinal))
        {
            problems.Add((field, "A bucket name has 3 to 63 lowercase letters, digits, hyphens, underscores or dots, starts and ends with a letter or digit, is not an IP address and does not start with \"goog\" or contain \"google\"."));
        }
    }
}
