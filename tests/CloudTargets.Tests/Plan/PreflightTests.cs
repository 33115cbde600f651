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

    [Fact]
    public void Check_SeveralProblems_AllReportedAtOnce()
    {
        var spec = Specs.Gke("/tmp/token", change: gke => gke with { ServiceAccount = "x", Bucket = "B", Tpu = new TpuSpec { Topology = "9x9" } });

        Assert.Equal(["target.gke.serviceAccount", "target.gke.bucket", "target.gke.tpu.topology"], CloudPreflight.Check(spec).Select(p => p.Field).ToList());
    }
}
