using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Contracts;
using Orchestrator.Tests.Infrastructure;

namespace Orchestrator.Tests.Secrets;

/// <summary><c>/api/secrets</c> and <c>secret://</c> references against the real service and PostgreSQL.</summary>
public sealed class SecretApiTests(ServerFixture fixture) : IClassFixture<ServerFixture>, IAsyncLifetime
{
    private UserClient _user = null!;

    public async Task InitializeAsync() => _user = await UserClient.CreateAsync(fixture.Server);

    public Task DisposeAsync()
    {
        _user.Dispose();
        return Task.CompletedTask;
    }

    [Fact]
    public async Task Put_NewThenAgain_CreatedThenReplaced_ListShowsWhoAndWhenNeverTheValue()
    {
        var name = Unique("hf");
        var value = $"first-{Guid.NewGuid():N}";

        using var created = await PutAsync(name, value);
        using var replaced = await PutAsync(name, "second-" + value);
        using var list = await _user.Http.GetAsync("/api/secrets");

        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Equal(HttpStatusCode.OK, replaced.StatusCode);
        var answers = await created.Content.ReadAsStringAsync() + await replaced.Content.ReadAsStringAsync() + await list.Content.ReadAsStringAsync();
        Assert.DoesNotContain(value, answers, StringComparison.Ordinal);
        var secret = JsonNode.Parse(await list.Content.ReadAsStringAsync())!.AsArray().Single(s => (string?)s!["name"] == name)!;
        Assert.Equal($"secret://{name}", (string?)secret["reference"]);
        Assert.Equal("tester", (string?)secret["createdBy"]);
        Assert.Equal("tester", (string?)secret["updatedBy"]);
        Assert.True(secret["updatedAt"]!.GetValue<DateTimeOffset>() >= secret["createdAt"]!.GetValue<DateTimeOffset>());
        Assert.Null(secret["value"]);
        var stored = await fixture.Database.ScalarAsync<string>("SELECT protected_value FROM secrets WHERE name = @name", new { name });
        Assert.DoesNotContain(value, stored, StringComparison.Ordinal);
        Assert.DoesNotContain(Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(value))[..16], stored, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Upper", """{"value": "v4lue"}""", "name")]
    [InlineData("-leading-dash", """{"value": "v4lue"}""", "name")]
    [InlineData("ok-name", """{"value": ""}""", "value")]
    [InlineData("ok-name", """{"value": "   "}""", "value")]
    [InlineData("ok-name", """{}""", "value")]
    [InlineData("ok-name", """{"value": 42}""", "value")]
    [InlineData("ok-name", """{"value": "v4lue", "other": 1}""", "other")]
    public async Task Put_BadInput_400ProblemNamingTheField(string name, string body, string field)
    {
        using var response = await _user.Http.PutAsync($"/api/secrets/{name}", new StringContent(body, System.Text.Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var errors = JsonNode.Parse(await response.Content.ReadAsStringAsync())!["errors"]!.AsObject();
        Assert.True(errors.ContainsKey(field), errors.ToJsonString());
        Assert.Equal(0, await fixture.Database.ScalarAsync<long>("SELECT count(*) FROM secrets WHERE name = @name", new { name }));
    }

    [Fact]
    public async Task Delete_Unknown_404()
    {
        using var response = await _user.Http.DeleteAsync($"/api/secrets/{Unique("nothing")}");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task Delete_WhileTheEnvironmentsRolloutRefersToIt_409NamingIt_AndOnceNoneDoes_204()
    {
        var name = Unique("token");
        var environment = Unique("env");
        await _user.CreateEnvironmentAsync(environment);
        (await PutAsync(name, "v4lue-for-delete")).Dispose();
        var first = await _user.ApplyAsync(WithToken(Specs.Local(environment), $"secret://{name}"));

        using var refused = await _user.Http.DeleteAsync($"/api/secrets/{name}");
        await _user.Http.PostAsync($"/api/runs/{first.Id}/cancel", null);
        await _user.WaitForStatusAsync(first.Id, "cancelled");
        using var stillRefused = await _user.Http.DeleteAsync($"/api/secrets/{name}");
        await _user.ApplyAsync(Specs.Local(environment));
        using var deleted = await _user.Http.DeleteAsync($"/api/secrets/{name}");

        Assert.Equal(HttpStatusCode.Conflict, refused.StatusCode);
        Assert.Contains($"environment {environment}", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        // A cancelled run's rollout is still the environment's latest: a retry or a teardown would read it again.
        Assert.Equal(HttpStatusCode.Conflict, stillRefused.StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        Assert.Equal(0, await fixture.Database.ScalarAsync<long>("SELECT count(*) FROM secrets WHERE name = @name", new { name }));
    }

    [Theory]
    [InlineData("/api/rollouts")]
    [InlineData("/api/plan")]
    public async Task ApplyOrPlan_UnknownSecret_400NamingTheField(string path)
    {
        var environment = Unique("env");
        await _user.CreateEnvironmentAsync(environment);

        using var response = await _user.Http.PostAsJsonAsync(path, WithToken(Specs.Local(environment), "secret://never-set"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        Assert.Contains("never-set", (string?)problem["errors"]!["target.local.huggingFaceToken"]![0], StringComparison.Ordinal);
        Assert.Equal(0, await fixture.Database.ScalarAsync<long>("SELECT count(*) FROM rollouts WHERE environment = @environment", new { environment }));
    }

    [Fact]
    public async Task ScheduleCreate_ApplySpecWithAnUnknownSecret_400NamingTheField()
    {
        var environment = Unique("env");
        await _user.CreateEnvironmentAsync(environment);

        using var response = await _user.Http.PostAsJsonAsync("/api/schedules", new JsonObject
        {
            ["environment"] = environment, ["cron"] = "0 0 22 * * ?", ["action"] = "apply",
            ["spec"] = WithToken(Specs.Local(environment), "secret://never-set"),
        });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("spec.target.local.huggingFaceToken", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(0, await fixture.Database.ScalarAsync<long>("SELECT count(*) FROM schedules WHERE environment = @environment", new { environment }));
    }

    [Fact]
    public async Task Delete_WhileAnApplyScheduleRefersToIt_409NamingTheSchedule()
    {
        var name = Unique("sched");
        var environment = Unique("env");
        await _user.CreateEnvironmentAsync(environment);
        (await PutAsync(name, "v4lue-for-schedule")).Dispose();
        using var schedule = await _user.Http.PostAsJsonAsync("/api/schedules", new JsonObject
        {
            ["environment"] = environment, ["cron"] = "0 0 22 * * ?", ["action"] = "apply", ["paused"] = true,
            ["spec"] = WithToken(Specs.Local(environment), $"secret://{name}"),
        });
        Assert.True(schedule.IsSuccessStatusCode, await schedule.Content.ReadAsStringAsync());
        var id = (string?)JsonNode.Parse(await schedule.Content.ReadAsStringAsync())!["id"];

        using var refused = await _user.Http.DeleteAsync($"/api/secrets/{name}");

        Assert.Equal(HttpStatusCode.Conflict, refused.StatusCode);
        Assert.Contains($"schedule {id} (environment {environment})", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Apply_BadSecretName_400NamingTheField()
    {
        using var response = await _user.Http.PostAsJsonAsync("/api/rollouts", WithToken(Specs.Local(), "secret://Not Valid"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("target.local.huggingFaceToken", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Plan_WithAStoredSecret_ShowsOnlyTheReference()
    {
        var name = Unique("plan");
        var value = $"plan-value-{Guid.NewGuid():N}";
        var environment = Unique("env");
        await _user.CreateEnvironmentAsync(environment);
        (await PutAsync(name, value)).Dispose();

        using var response = await _user.Http.PostAsJsonAsync("/api/plan", WithToken(Specs.Local(environment), $"secret://{name}"));

        var body = await response.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.DoesNotContain(value, body, StringComparison.Ordinal);
    }

    internal static JsonObject WithToken(JsonObject spec, string reference)
    {
        spec["target"] = new JsonObject { ["kind"] = "local", ["local"] = new JsonObject { ["huggingFaceToken"] = reference } };
        return spec;
    }

    private Task<HttpResponseMessage> PutAsync(string name, string value) =>
        _user.Http.PutAsJsonAsync($"/api/secrets/{name}", new { value }, ContractJson.Options);

    private static string Unique(string prefix) => $"{prefix}-{Guid.NewGuid():N}"[..20];
}
