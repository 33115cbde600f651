using CloudTargets.Preflight;
using CloudTargets.Tests.Infrastructure;
using Contracts.Specs;

namespace CloudTargets.Tests.Plan;

public sealed class PreflightTests
{
    [Fact]
    public void Check_ValidSpec_NoProblems() => Assert.Empty(CloudPreflight.Check(Specs.Gke("/tmp/token")));

    [Theory]
    [InlineData("serviceAccount", "wi", "target.gke.serviceAccount")]
    [InlineData("serviceAccount", "this-service-account-id-is-far-too-long", "target.gke.serviceAccount")]
    [InlineData("serviceAccount", "Wi_Jetstream", "target.gke.serviceAccount")]
    [InlineData("bucket", "My_Bucket", "target.gke.bucket")]
    [InlineData("bucket", "google-models", "target.gke.bucket")]
    [InlineData("bucket", "192.168.1.10", "target.gke.bucket")]
    [InlineData("bucket", "ab", "target.gke.bucket")]
    [InlineData("region", "europe-north1", "target.gke.region")]
    [InlineData("location", "us-east1-b", "target.gke.location")]
    [InlineData("cluster", "Jet_Stream", "target.gke.cluster")]
    [InlineData("namespace", "Serving", "target.gke.namespace")]
    [InlineData("kubernetesServiceAccount", "-ksa", "target.gke.kubernetesServiceAccount")]
    [InlineData("project", "Demo", "target.gke.project")]
    [InlineData("topology", "3x3", "target.gke.tpu.topology")]
    [InlineData("machineType", "ct5lp-hightpu-16t", "target.gke.tpu.machineType")]
    public void Check_BadName_ReportedByField(string setting, string value, string field)
    {
        var spec = Specs.Gke("/tmp/token", change: gke => setting switch
        {
            "serviceAccount" => gke with { ServiceAccount = value },
            "bucket" => gke with { Bucket = value },
            "region" => gke with { Region = value, Location = value + "-a" },
            "location" => gke with { Location = value },
            "cluster" => gke with { Cluster = value },
            "namespace" => gke with { Namespace = value },
            "kubernetesServiceAccount" => gke with { KubernetesServiceAccount = value },
            "project" => gke with { Project = value },
            "topology" => gke with { Tpu = gke.Tpu with { Topology = value } },
            _ => gke with { Tpu = gke.Tpu with { MachineType = value } },
        });

        var problems = CloudPreflight.Check(spec);

        Assert.Equal([field], problems.Select(p => p.Field).ToList());
    }

    [Theory]
    [InlineData("standard", new[] { "us-west4-a", "us-east1-c" }, "", "target.gke.tpu.zones[1]", "not in region us-west4")]
    [InlineData("standard", new[] { "us-west4-a", "us-west4-c" }, "", "target.gke.tpu.zones[1]", "has no TPU v5e; in us-west4 use us-west4-a, us-west4-b")]
    [InlineData("standard", new[] { "us-west4-a", "us-west4-a" }, "", "target.gke.tpu.zones[1]", "listed twice")]
    [InlineData("standard", new[] { "us-west4-b", "us-west4-a" }, "us-west4-a", "target.gke.location", "give location us-west4-b")]
    [InlineData("autopilot", new[] { "us-west4-a" }, "", "target.gke.tpu.zones", "Autopilot has no node pool")]
    public void Check_BadZones_ReportedByField(string mode, string[] zones, string location, string field, string message)
    {
        var spec = Specs.Gke("/tmp/token", mode, gke => gke with { Location = location, Tpu = gke.Tpu with { Zones = zones } });

        var problem = Assert.Single(CloudPreflight.Check(spec));

        Assert.Equal(field, problem.Field);
        Assert.Contains(message, problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Check_ZonesInTheRegionWithTpus_NoProblems() =>
        Assert.Empty(CloudPreflight.Check(Specs.Gke("/tmp/token", change: gke => gke with { Tpu = gke.Tpu with { Zones = ["us-west4-a", "us-west4-b"] } })));

    [Theory]
    [InlineData("queued", false, "target.gke.tpu.provisioning", "ProvisioningRequest")]
    [InlineData("reserved", false, "target.gke.tpu.provisioning", "Must be on-demand or flex-start")]
    [InlineData("flex-start", true, "target.gke.tpu.spot", "not Spot VMs")]
    public void Check_BadProvisioning_ReportedByField(string provisioning, bool spot, string field, string message)
    {
        var spec = Specs.Gke("/tmp/token", change: gke => gke with { Tpu = gke.Tpu with { Provisioning = provisioning, Spot = spot } });

        var problem = Assert.Single(CloudPreflight.Check(spec));

        Assert.Equal(field, problem.Field);
        Assert.Contains(message, problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Check_SeveralProblems_AllReportedAtOnce()
    {
        var spec = Specs.Gke("/tmp/token", change: gke => gke with { ServiceAccount = "x", Bucket = "B", Tpu = new TpuSpec { Topology = "9x9" } });

        Assert.Equal(["target.gke.serviceAccount", "target.gke.bucket", "target.gke.tpu.topology"], CloudPreflight.Check(spec).Select(p => p.Field).ToList());
    }
}
