using Contracts.Specs;
using Orchestrator.Rollouts;

namespace Orchestrator.Tests.Rollouts;

/// <summary>The gke TPU placement settings and <c>model.load</c>: each value is used or refused by field, never
/// accepted and ignored.</summary>
public sealed class SpecValidatorGkeTests
{
    private static RolloutSpec Gke(Func<GkeTargetSpec, GkeTargetSpec>? change = null, Func<ModelSpec, ModelSpec>? model = null)
    {
        var gke = new GkeTargetSpec
        {
            Project = "my-project", Region = "us-west4", Location = "us-west4-a", Cluster = "serving", Mode = "standard",
        };
        var source = new ModelSpec { Family = "gemma", Size = "7b", Source = "hf://google/gemma-7b-it-pytorch" };
        return new RolloutSpec
        {
            Environment = "tpu",
            Model = model is null ? source : model(source),
            Target = new TargetSpec { Kind = TargetKinds.Gke, Gke = change is null ? gke : change(gke) },
        };
    }

    private static Dictionary<string, string[]> Errors(RolloutSpec spec) => SpecValidator.Validate(spec).ToDictionary();

    [Fact]
    public void Validate_ZonesSpotAndServerLoad_Accepted()
    {
        var spec = Gke(g => g with { Location = "", Tpu = g.Tpu with { Zones = ["us-west4-b", "us-west4-a"], Spot = true } },
            m => m with { Load = ModelSpec.LoadServer, Source = "hf://google/gemma-7b-it@main" });

        Assert.Empty(Errors(spec));
    }

    [Fact]
    public void Validate_FlexStart_Accepted() =>
        Assert.Empty(Errors(Gke(g => g with { Tpu = g.Tpu with { Provisioning = TpuSpec.FlexStart } })));

    [Fact]
    public void Validate_StandardWithoutLocationOrZones_RefusesLocation() =>
        Assert.Contains("target.gke.location", Errors(Gke(g => g with { Location = "" })).Keys);

    [Theory]
    [InlineData("us-east1-c", "target.gke.tpu.zones[0]")]
    [InlineData("us-west4-c", "target.gke.tpu.zones[0]")]
    public void Validate_ZoneOutsideTheRegionOrWithoutV5e_RefusedByIndex(string zone, string field)
    {
        var errors = Errors(Gke(g => g with { Location = "", Tpu = g.Tpu with { Zones = [zone] } }));

        Assert.Equal([field], errors.Keys.ToList());
    }

    [Fact]
    public void Validate_ZonesOnAutopilot_RefusedByName()
    {
        var errors = Errors(Gke(g => g with { Mode = "autopilot", Location = "", Tpu = g.Tpu with { Zones = ["us-west4-a"] } }));

        Assert.Contains("Autopilot", Assert.Single(errors["target.gke.tpu.zones"]), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("queued", false, "target.gke.tpu.provisioning")]
    [InlineData("spot", false, "target.gke.tpu.provisioning")]
    [InlineData("flex-start", true, "target.gke.tpu.spot")]
    public void Validate_BadProvisioning_RefusedByField(string provisioning, bool spot, string field) =>
        Assert.Equal([field], Errors(Gke(g => g with { Tpu = g.Tpu with { Provisioning = provisioning, Spot = spot } })).Keys.ToList());

    [Theory]
    [InlineData("download", "hf://google/gemma-7b-it-pytorch", "Must be bucket or server")]
    [InlineData("server", "file:///models/gemma", "must be hf://")]
    [InlineData("server", "hf://google/gemma-7b-it@refs/pr/3", "not revision refs/pr/3")]
    [InlineData("server", "hf://google/gemma-7b-it-pytorch", "knows gemma 7b as google/gemma-7b or google/gemma-7b-it")]
    public void Validate_BadLoad_RefusedNamingModelLoad(string load, string source, string message)
    {
        var errors = Errors(Gke(model: m => m with { Load = load, Source = source }));

        Assert.Contains(message, Assert.Single(errors["model.load"]), StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_ServerLoadOnLocal_RefusedNamingModelLoad()
    {
        var spec = new RolloutSpec
        {
            Environment = "local",
            Model = new ModelSpec { Family = "llama-3", Size = "8b", Source = "hf://meta-llama/Meta-Llama-3-8B", Load = ModelSpec.LoadServer },
        };

        Assert.Equal(["model.load"], Errors(spec).Keys.ToList());
    }
}
