using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Orchestrator.Tests.Infrastructure;

namespace Orchestrator.Tests.Api;

/// <summary>Bad input is refused with problem+json naming the problem, and nothing is written.</summary>
public sealed class ApiInputTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    private async Task<HttpResponseMessage> PostSpecAsync(string json, string path = "/api/rollouts")
    {
        using var user = await UserClient.CreateAsync(fixture.Server);
        return await user.Http.PostAsync(path, new StringContent(json, Encoding.UTF8, "application/json"));
    }

    private static async Task<JsonObject> ProblemAsync(HttpResponseMessage response, HttpStatusCode status)
    {
        Assert.Equal(status, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = JsonNode.Parse(await response.Content.ReadAsStringAsync())!.AsObject();
        Assert.Equal((int)status, problem["status"]!.GetValue<int>());
        Assert.False(string.IsNullOrEmpty(problem["title"]?.GetValue<string>()));
        return problem;
    }

    private Task<long> RolloutCountAsync() => fixture.Database.ScalarAsync<long>("SELECT count(*) FROM rollouts");

    public static TheoryData<string, string> BadSpecs => new()
    {
        // unknown fields, at any depth
        { """{"environment":"local","model":{"family":"gemma","size":"7b","source":"file:///m"},"colour":"red"}""", "colour" },
        { """{"environment":"local","model":{"family":"gemma","size":"7b","source":"file:///m","weights":1}}""", "model.weights" },
        { """{"environment":"local","model":{"family":"gemma","size":"7b","source":"file:///m"},"engine":{"batchsize":8}}""", "engine.batchsize" },
        // wrong types
        { """{"environment":"local","model":{"family":"gemma","size":"7b","source":"file:///m"},"engine":{"batchSize":"8"}}""", "engine.batchSize" },
        { """{"environment":"local","model":{"family":"gemma","size":"7b","source":"file:///m"},"engine":{"quantizeWeights":"yes"}}""", "engine.quantizeWeights" },
        { """{"environment":"local","model":"gemma"}""", "model" },
        // bad values
        { """{"environment":"local","model":{"family":"gpt","size":"7b","source":"file:///m"}}""", "model.family" },
        { """{"environment":"local","model":{"family":"gemma","size":"70b","source":"file:///m"}}""", "model.size" },
        { """{"environment":"local","model":{"family":"gemma","size":"7b","source":"s3://bucket/m"}}""", "model.source" },
        { """{"environment":"local","model":{"family":"gemma","size":"7b","source":"hf://gemma-7b"}}""", "model.source" },
        { """{"environment":"local","model":{"family":"gemma","size":"7b","source":"hf://google/gemma-7b/extra"}}""", "model.source" },
        { """{"environment":"local","model":{"family":"gemma","size":"7b","source":"hf://google/gemma-7b@"}}""", "model.source" },
        { """{"environment":"local","model":{"family":"gemma","size":"7b","source":"hf://google/gemma-7b"},"target":{"kind":"local","local":{"huggingFaceToken":"hf_abcdefghijklmnopqrstuvwxyz"}}}""", "target.local.huggingFaceToken" },
        { """{"environment":"local","model":{"family":"gemma","size":"7b","source":"file:///m"},"engine":{"batchSize":0}}""", "engine.batchSize" },
        { """{"environment":"local","model":{"family":"gemma","size":"7b","source":"file:///m"},"engine":{"replicas":-1}}""", "engine.replicas" },
        { """{"environment":"local","model":{"family":"gemma","size":"7b","source":"file:///m"},"engine":{"maxCacheLength":0}}""", "engine.maxCacheLength" },
        { """{"environment":"local","model":{"family":"gemma","size":"7b","source":"file:///m"},"strategy":{"canary":{"steps":[{"weight":150}]}}}""", "strategy.canary.steps[0].weight" },
        { """{"environment":"local","model":{"family":"gemma","size":"7b","source":"file:///m"},"strategy":{"canary":{"steps":[{"pause":"soon"}]}}}""", "strategy.canary.steps[0].pause" },
        { """{"environment":"local","model":{"family":"gemma","size":"7b","source":"file:///m"},"target":{"kind":"mainframe"}}""", "target.kind" },
        { """{"environment":"local","model":{"family":"gemma","size":"7b","source":"file:///m"},"target":{"kind":"gke","gke":{"project":"my-project","region":"us-west4","cluster":"serving"}}}""", "target.kind" },
        // autoscaling: each bad field by name, and a starting count outside the range
        { """{"environment":"local","model":{"family":"gemma","size":"7b","source":"file:///m"},"engine":{"replicas":1,"autoscaling":{"minReplicas":2,"maxReplicas":1,"target":4}}}""", "engine.autoscaling.maxReplicas" },
        { """{"environment":"local","model":{"family":"gemma","size":"7b","source":"file:///m"},"engine":{"replicas":1,"autoscaling":{"maxReplicas":3,"metric":"cpu","target":4}}}""", "engine.autoscaling.metric" },
        { """{"environment":"local","model":{"family":"gemma","size":"7b","source":"file:///m"},"engine":{"replicas":1,"autoscaling":{"maxReplicas":3,"metric":"slotsUsed","target":150}}}""", "engine.autoscaling.target" },
        { """{"environment":"local","model":{"family":"gemma","size":"7b","source":"file:///m"},"engine":{"replicas":5,"autoscaling":{"maxReplicas":3,"target":4}}}""", "engine.replicas" },
        { """{"environment":"local","model":{"family":"gemma","size":"7b","source":"file:///m"},"engine":{"replicas":1,"autoscaling":{"maxReplicas":3,"target":4,"scaleUp":"fast"}}}""", "engine.autoscaling.scaleUp" },
        // a TTL where nothing is torn down after a time (it would be accepted and ignored)
        { """{"environment":"local","model":{"family":"gemma","size":"7b","source":"file:///m"},"cleanup":{"teardownAfter":"72h"}}""", "cleanup.teardownAfter" },
        { """{"environment":"local","model":{"family":"gemma","size":"7b","source":"file:///m"},"target":{"kind":"kubernetes"},"cleanup":{"teardownAfter":"2h"}}""", "cleanup.teardownAfter" },
        { """{"environment":"local","model":{"family":"gemma","size":"7b","source":"file:///m"},"target":{"kind":"gke","gke":{"project":"my-project","region":"us-west4","cluster":"serving"}},"cleanup":{"teardownAfter":"0s"}}""", "cleanup.teardownAfter" },
        // who converts: a value that is neither, and the runner asked to convert what only the converter Job can
        { """{"environment":"local","model":{"family":"llama-3","size":"8b","source":"hf://meta-llama/Meta-Llama-3-8B"},"target":{"kind":"gke","gke":{"project":"my-project","region":"us-west4","cluster":"serving","conversion":"laptop"}}}""", "target.gke.conversion" },
        { """{"environment":"local","model":{"family":"gemma","size":"7b","source":"hf://google/gemma-7b-it-pytorch"},"target":{"kind":"gke","gke":{"project":"my-project","region":"us-west4","cluster":"serving","conversion":"runner"}}}""", "target.gke.conversion" },
        // a source the target does not have
        { """{"environment":"local","model":{"family":"gemma","size":"7b","source":"file:///m"},"strategy":{"canary":{"steps":[{"analysis":{"metrics":[{"name":"restarts","source":"pods","measure":"restarts","max":0,"count":1}]}}]}}}""", "strategy.canary.steps[0].analysis.metrics[0].source" },
        { """{"environment":"Not_A_Label","model":{"family":"gemma","size":"7b","source":"file:///m"}}""", "environment" },
        { """{"model":{"family":"gemma","size":"7b","source":"file:///m"}}""", "environment" },
    };

    [Theory]
    [MemberData(nameof(BadSpecs))]
    public async Task PostRollout_BadSpec_Is400NamingTheFieldAndWritesNothing(string json, string field)
    {
        var before = await RolloutCountAsync();

        using var response = await PostSpecAsync(json);

        var problem = await ProblemAsync(response, HttpStatusCode.BadRequest);
        Assert.True(problem["errors"]!.AsObject().ContainsKey(field), $"errors should name {field}: {problem}");
        Assert.Equal(before, await RolloutCountAsync());
    }

    [Theory]
    [InlineData("")]
    [InlineData("{not json")]
    [InlineData("null")]
    public async Task PostRollout_NotASpec_Is400(string json)
    {
        using var response = await PostSpecAsync(json);
        await ProblemAsync(response, HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task PostRollout_UnknownEnvironment_Is404AndWritesNothing()
    {
        var before = await RolloutCountAsync();

        using var response = await PostSpecAsync(Specs.Local("nowhere").ToJsonString());

        var problem = await ProblemAsync(response, HttpStatusCode.NotFound);
        Assert.Contains("nowhere", problem["detail"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal(before, await RolloutCountAsync());
    }

    [Fact]
    public async Task PostRollout_OversizeBody_Is413()
    {
        var spec = Specs.Local();
        spec["model"]!["family"] = new string('x', 2 * 1024 * 1024);

        using var response = await PostSpecAsync(spec.ToJsonString());

        await ProblemAsync(response, HttpStatusCode.RequestEntityTooLarge);
    }

    [Fact]
    public async Task PostPlan_ValidSpec_ShowsStepsAndWritesNothing()
    {
        var before = await RolloutCountAsync();

        using var response = await PostSpecAsync(Specs.Local().ToJsonString(), "/api/plan");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var plan = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        Assert.Equal("local", plan["environment"]!.GetValue<string>());
        Assert.StartsWith("r", plan["revision"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal(["checkpoint.convert", "engine.deploy", "traffic.shift", "revision.promote", "cleanup"],
            plan["steps"]!.AsArray().Select(s => s!["name"]!.GetValue<string>()));
        Assert.Equal(before, await RolloutCountAsync());
    }

    [Fact]
    public async Task PutEnvironment_CreatesThenUpdates_AndRejectsBadInput()
    {
        using var user = await UserClient.CreateAsync(fixture.Server);

        using var created = await user.Http.PutAsJsonAsync("/api/environments/staging-1", new { targetKind = "kubernetes" });
        using var updated = await user.Http.PutAsJsonAsync("/api/environments/staging-1", new { targetKind = "local" });
        using var badName = await user.Http.PutAsJsonAsync("/api/environments/Bad_Name", new { targetKind = "local" });
        using var badKind = await user.Http.PutAsJsonAsync("/api/environments/staging-2", new { targetKind = "moon" });
        using var unknownField = await user.Http.PutAsJsonAsync("/api/environments/staging-2", new { targetKind = "local", region = "x" });
        using var missing = await user.Http.GetAsync("/api/environments/staging-2");

        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Equal(HttpStatusCode.OK, updated.StatusCode);
        Assert.Equal("local", (await user.Http.GetFromJsonAsync<JsonObject>("/api/environments/staging-1"))!["targetKind"]!.GetValue<string>());
        Assert.Contains("name", (await ProblemAsync(badName, HttpStatusCode.BadRequest))["errors"]!.AsObject().Select(e => e.Key));
        Assert.Contains("targetKind", (await ProblemAsync(badKind, HttpStatusCode.BadRequest))["errors"]!.AsObject().Select(e => e.Key));
        Assert.Contains("region", (await ProblemAsync(unknownField, HttpStatusCode.BadRequest))["errors"]!.AsObject().Select(e => e.Key));
        await ProblemAsync(missing, HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task UnknownRouteAndWrongMethod_AreProblems()
    {
        using var user = await UserClient.CreateAsync(fixture.Server);
        using var missingRun = await user.Http.GetAsync($"/api/runs/{Guid.NewGuid()}");
        using var wrongMethod = await user.Http.DeleteAsync("/api/environments");

        await ProblemAsync(missingRun, HttpStatusCode.NotFound);
        await ProblemAsync(wrongMethod, HttpStatusCode.MethodNotAllowed);
    }

    [Fact]
    public async Task Generate_EnvironmentServingNothing_Is409()
    {
        using var user = await UserClient.CreateAsync(fixture.Server);
        using var response = await user.Http.PostAsJsonAsync("/api/environments/local/generate", new { prompt = "hi", max_tokens = 4 });
        await ProblemAsync(response, HttpStatusCode.Conflict);
    }
}
