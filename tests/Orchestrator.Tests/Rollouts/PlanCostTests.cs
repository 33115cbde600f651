using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Orchestrator.Cli;
using Orchestrator.Tests.Infrastructure;

namespace Orchestrator.Tests.Rollouts;

/// <summary><c>POST /api/plan</c> and <c>orchestrator plan</c> show the TPU chips, chip-hours and cost a gke spec
/// implies before anything is provisioned, priced by the configured table; a gke spec without a TTL is warned about.</summary>
public sealed class PlanCostTests : IAsyncLifetime
{
    // Rows in the least helpful order: the most specific one comes last and must still win.
    private static readonly string[] PriceTable =
    [
        "--Costs:Prices:0:Region", "europe-west4", "--Costs:Prices:0:PerChipHour", "1.40",
        "--Costs:Prices:1:MachineType", "ct5lp-hightpu-4t", "--Costs:Prices:1:PerChipHour", "1.30",
        "--Costs:Prices:2:Region", "europe-west4", "--Costs:Prices:2:MachineType", "ct5lp-hightpu-4t", "--Costs:Prices:2:PerChipHour", "1.56",
    ];

    private readonly TestDatabase _database = new();
    private TestServer _server = null!;
    private UserClient _user = null!;

    public async Task InitializeAsync()
    {
        await _database.InitializeAsync();
        _server = await TestServer.StartAsync(_database, PriceTable);
        _user = await UserClient.CreateAsync(_server);
        await _user.CreateEnvironmentAsync("tpu", "gke");
    }

    public async Task DisposeAsync()
    {
        _user.Dispose();
        await _server.DisposeAsync();
        await _database.DisposeAsync();
    }

    private async Task<JsonObject> PlanAsync(JsonObject spec)
    {
        using var response = await _user.Http.PostAsJsonAsync("/api/plan", spec);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, body);
        return JsonNode.Parse(body)!.AsObject();
    }

    private static decimal Number(JsonNode? node) => node!.GetValue<decimal>();

    [Theory]
    [InlineData("72h", 72, 1152, 1382.40)]
    [InlineData("1h30m", 1.5, 24, 28.80)]
    public async Task Plan_GkeStandard_ShowsChipsChipHoursAndCostUntilTheTtl(string ttl, double hours, double chipHours, double untilTtl)
    {
        var cost = (await PlanAsync(Specs.Gke("tpu", nodes: 2, teardownAfter: ttl)))["cost"]!;

        Assert.Equal(16, cost["chips"]!.GetValue<int>()); // 2 nodes of ct5lp-hightpu-8t
        Assert.Equal(16m, Number(cost["chipHoursPerHour"]));
        Assert.Equal((decimal)hours, Number(cost["ttlHours"]));
        Assert.Equal((decimal)chipHours, Number(cost["chipHoursUntilTtl"]));
        Assert.Equal(1.20m, Number(cost["pricePerChipHour"]));
        Assert.Equal("USD", cost["currency"]!.GetValue<string>());
        Assert.Equal(19.20m, Number(cost["estimatedPerHour"]));
        Assert.Equal((decimal)untilTtl, Number(cost["estimatedUntilTtl"]));
        Assert.Equal("Costs:DefaultPerChipHour", cost["priceSource"]!.GetValue<string>());
    }

    [Theory]
    [InlineData("spot", "tpu.spot: priced at the on-demand rate")]
    [InlineData("flex-start", "tpu.provisioning flex-start: priced at the on-demand rate")]
    public async Task Plan_SpotOrFlexStart_OnDemandPriceSaidToBeAnUpperBound(string how, string warning)
    {
        var spec = Specs.Gke("tpu");
        var tpu = spec["target"]!["gke"]!["tpu"]!.AsObject();
        if (how == "spot") tpu["spot"] = true;
        else tpu["provisioning"] = how;

        var plan = await PlanAsync(spec);

        Assert.Equal(19.20m, Number(plan["cost"]!["estimatedPerHour"]));
        Assert.Contains(plan["warnings"]!.AsArray(), w => w!.GetValue<string>().StartsWith(warning, StringComparison.Ordinal));
        Assert.StartsWith(warning, plan["cost"]!["priceNote"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("2x4", 3, 24)]
    [InlineData("2x2", 2, 8)]
    [InlineData("1x1", 1, 1)]
    public async Task Plan_GkeAutopilot_CountsTopologyChipsPerReplica(string topology, int replicas, int chips)
    {
        var plan = await PlanAsync(Specs.Gke("tpu", mode: "autopilot", topology: topology, replicas: replicas, nodes: 7));

        Assert.Equal(chips, plan["cost"]!["chips"]!.GetValue<int>());
        Assert.Equal(chips * 1.20m, Number(plan["cost"]!["estimatedPerHour"]));
        Assert.Contains($"{replicas} replica(s) x", plan["cost"]!["basis"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("europe-west4", "ct5lp-hightpu-4t", 1.56, "Costs:Prices:2 (region europe-west4, machineType ct5lp-hightpu-4t)")]
    [InlineData("us-west4", "ct5lp-hightpu-4t", 1.30, "Costs:Prices:1 (machineType ct5lp-hightpu-4t)")]
    [InlineData("europe-west4", "ct5lp-hightpu-8t", 1.40, "Costs:Prices:0 (region europe-west4)")]
    [InlineData("us-west4", "ct5lp-hightpu-8t", 1.20, "Costs:DefaultPerChipHour")]
    public async Task Plan_PriceTable_MostSpecificRowWins(string region, string machineType, double price, string source)
    {
        var cost = (await PlanAsync(Specs.Gke("tpu", region: region, machineType: machineType, nodes: 2)))["cost"]!;

        Assert.Equal((decimal)price, Number(cost["pricePerChipHour"]));
        Assert.Equal(source, cost["priceSource"]!.GetValue<string>());
        Assert.Equal(Math.Round(cost["chips"]!.GetValue<int>() * (decimal)price, 2), Number(cost["estimatedPerHour"]));
    }

    [Fact]
    public async Task Plan_GkeWithoutTtl_WarnsThatTheTpusAreBilledUntilTornDown()
    {
        var plan = await PlanAsync(Specs.Gke("tpu", nodes: 2, teardownAfter: null));

        var cost = plan["cost"]!;
        Assert.Null(cost["ttlHours"]);
        Assert.Null(cost["chipHoursUntilTtl"]);
        Assert.Null(cost["estimatedUntilTtl"]);
        var warning = Assert.Single(plan["warnings"]!.AsArray())!.GetValue<string>();
        Assert.Equal("no cleanup.teardownAfter: the TPUs are billed until someone tears the environment down (16 chips, ~19.20 USD per hour)", warning);
    }

    [Fact]
    public async Task Plan_GkeWithTtl_HasNoWarnings()
    {
        var plan = await PlanAsync(Specs.Gke("tpu"));

        Assert.Empty(plan["warnings"]!.AsArray());
    }

    [Fact]
    public async Task Plan_Local_HasNoCost()
    {
        var plan = await PlanAsync(Specs.Local());

        Assert.Null(plan["cost"]);
        Assert.Empty(plan["warnings"]!.AsArray());
    }

    [Theory]
    [InlineData("local")]
    [InlineData("kubernetes")]
    public async Task Plan_TeardownAfterOnATargetThatIsNotGke_Is400NamingTheField(string kind)
    {
        var spec = Specs.Local();
        spec["target"] = new JsonObject { ["kind"] = kind };
        spec["cleanup"] = new JsonObject { ["teardownAfter"] = "72h" };

        using var response = await _user.Http.PostAsJsonAsync("/api/plan", spec);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var errors = JsonNode.Parse(await response.Content.ReadAsStringAsync())!["errors"]!.AsObject();
        var message = Assert.Single(errors["cleanup.teardownAfter"]!.AsArray())!.GetValue<string>();
        Assert.StartsWith("Only gke environments are torn down after a time", message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Cli_Plan_PrintsChipsCostAndWarningAboveTheSteps()
    {
        var token = await _server.CreateTokenAsync(Auth.TokenKinds.User, "cli");
        using var output = new StringWriter();
        using var error = new StringWriter();
        var stdin = new StringReader("""
            environment: tpu
            model: { family: gemma, size: 7b, source: hf://google/gemma-7b-it-pytorch }
            target:
              kind: gke
              gke:
                project: my-project
                region: us-west4
                location: us-west4-a
                cluster: serving
                mode: standard
                tpu: { machineType: ct5lp-hightpu-8t, topology: 2x4, nodes: 2 }
            """);

        var code = await CliApp.RunAsync(["plan", "-f", "-", "--server", _server.BaseAddress.ToString(), "--token", token],
            new CliContext(output, error, stdin, false, TimeProvider.System, CancellationToken.None));

        Assert.True(code == 0, error.ToString());
        var text = output.ToString();
        Assert.Contains("tpu: 16 chips (standard: 2 node(s) x 8 chip(s) of ct5lp-hightpu-8t), 16 chip-hours per hour, no teardownAfter\n", text, StringComparison.Ordinal);
        Assert.Contains("cost: ~19.20 USD per hour at 1.20 USD per chip-hour (Costs:DefaultPerChipHour)\n", text, StringComparison.Ordinal);
        Assert.Contains("warning: no cleanup.teardownAfter: the TPUs are billed", text, StringComparison.Ordinal);
        Assert.True(text.IndexOf("warning:", StringComparison.Ordinal) < text.IndexOf("STEP", StringComparison.Ordinal), text);
    }

    [Fact]
    public async Task Cli_Plan_WithTtl_PrintsTheCostUntilTeardown()
    {
        var token = await _server.CreateTokenAsync(Auth.TokenKinds.User, "cli");
        using var output = new StringWriter();
        var stdin = new StringReader(Specs.Gke("tpu", nodes: 2).ToJsonString());

        var code = await CliApp.RunAsync(["plan", "-f", "-", "--server", _server.BaseAddress.ToString(), "--token", token],
            new CliContext(output, TextWriter.Null, stdin, false, TimeProvider.System, CancellationToken.None));

        Assert.Equal(0, code);
        Assert.Contains("16 chip-hours per hour, 1152 until teardownAfter (72 h)\n", output.ToString(), StringComparison.Ordinal);
        Assert.Contains("cost: ~19.20 USD per hour, ~1382.40 USD until teardownAfter at 1.20 USD per chip-hour", output.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("warning:", output.ToString(), StringComparison.Ordinal);
    }
}
