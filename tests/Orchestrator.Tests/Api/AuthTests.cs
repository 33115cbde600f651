using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Contracts.Protocol;
using Orchestrator.Auth;
using Orchestrator.Tests.Infrastructure;

namespace Orchestrator.Tests.Api;

public sealed class AuthTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    private static async Task AssertProblemAsync(HttpResponseMessage response, HttpStatusCode status)
    {
        Assert.Equal(status, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal((int)status, JsonNode.Parse(await response.Content.ReadAsStringAsync())!["status"]!.GetValue<int>());
    }

    [Theory]
    [InlineData(null)]
    [InlineData("orch_u_not-a-real-token")]
    [InlineData("garbage")]
    public async Task UserEndpoint_NoOrUnknownToken_Is401(string? token)
    {
        using var client = fixture.Server.Client(token);
        using var response = await client.GetAsync("/api/environments");
        await AssertProblemAsync(response, HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task UserEndpoints_RunnerOrRegistrationToken_Is403()
    {
        using var runner = await ProtocolClient.RegisterAsync(fixture.Server, "r-403", "local");
        using var registration = fixture.Server.Client(await fixture.Server.CreateTokenAsync(TokenKinds.Registration));

        using var byRunner = await runner.Http.GetAsync("/api/runs");
        using var byRunnerPost = await runner.Http.PostAsJsonAsync("/api/rollouts", Specs.Local());
        using var byRegistration = await registration.GetAsync("/api/environments");

        await AssertProblemAsync(byRunner, HttpStatusCode.Forbidden);
        await AssertProblemAsync(byRunnerPost, HttpStatusCode.Forbidden);
        await AssertProblemAsync(byRegistration, HttpStatusCode.Forbidden);
        Assert.Equal(0, await fixture.Database.ScalarAsync<long>("SELECT count(*) FROM rollouts"));
    }

    [Fact]
    public async Task RunnerProtocol_UserToken_Is403()
    {
        using var user = await UserClient.CreateAsync(fixture.Server);
        using var response = await user.Http.PostAsync("/api/runners/claim?waitSeconds=0", null);
        await AssertProblemAsync(response, HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task RegistrationToken_SecondUse_Is401()
    {
        var token = await fixture.Server.CreateTokenAsync(TokenKinds.Registration);
        using var client = fixture.Server.Client(token);

        using var first = await client.PostAsJsonAsync("/api/runners/register", new RegisterRunnerRequest("once", ["local"]));
        using var second = await client.PostAsJsonAsync("/api/runners/register", new RegisterRunnerRequest("twice", ["local"]));

        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        await AssertProblemAsync(second, HttpStatusCode.Unauthorized);
        Assert.Equal(0, await fixture.Database.ScalarAsync<long>("SELECT count(*) FROM runners WHERE name = 'twice'"));
    }

    [Fact]
    public async Task RegistrationToken_ConcurrentUses_RegisterOneRunner()
    {
        var token = await fixture.Server.CreateTokenAsync(TokenKinds.Registration);
        var attempts = Enumerable.Range(0, 6).Select(async i =>
        {
            using var client = fixture.Server.Client(token);
            using var response = await client.PostAsJsonAsync("/api/runners/register", new RegisterRunnerRequest("race", ["local"]));
            return response.StatusCode;
        });

        var codes = await Task.WhenAll(attempts);

        Assert.Equal(1, codes.Count(c => c == HttpStatusCode.Created));
        Assert.All(codes.Where(c => c != HttpStatusCode.Created), c => Assert.Equal(HttpStatusCode.Unauthorized, c));
        Assert.Equal(1, await fixture.Database.ScalarAsync<long>("SELECT count(*) FROM runners WHERE name = 'race'"));
    }

    [Fact]
    public async Task RemovedRunner_TokenStopsWorking()
    {
        using var runner = await ProtocolClient.RegisterAsync(fixture.Server, "doomed", "local");
        using var user = await UserClient.CreateAsync(fixture.Server);

        using var removed = await user.Http.DeleteAsync($"/api/runners/{runner.RunnerId}");
        using var claim = await runner.Http.PostAsync("/api/runners/claim?waitSeconds=0", null);
        var listed = await user.Http.GetFromJsonAsync<JsonArray>("/api/runners");

        Assert.Equal(HttpStatusCode.NoContent, removed.StatusCode);
        await AssertProblemAsync(claim, HttpStatusCode.Unauthorized);
        Assert.DoesNotContain(listed!, r => r!["id"]!.GetValue<Guid>() == runner.RunnerId);
    }

    [Fact]
    public async Task Tokens_AreStoredOnlyAsHashes()
    {
        var token = await fixture.Server.CreateTokenAsync(TokenKinds.User, "hash-check");
        var stored = await fixture.Database.ScalarAsync<byte[]>("SELECT token_hash FROM api_tokens WHERE name = 'hash-check'");
        Assert.Equal(TokenStore.Hash(token), stored);
        Assert.Equal(0, await fixture.Database.ScalarAsync<long>(
            "SELECT count(*) FROM api_tokens WHERE position(convert_to(@token, 'UTF8') in token_hash) > 0", new { token }));
    }

    [Fact]
    public async Task PublicEndpoints_NeedNoToken()
    {
        using var client = fixture.Server.Client();
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/healthz")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/readyz")).StatusCode);
        var openApi = await client.GetFromJsonAsync<JsonObject>("/openapi/v1.json");
        Assert.True(openApi!["paths"]!.AsObject().ContainsKey("/api/rollouts"));
    }
}
