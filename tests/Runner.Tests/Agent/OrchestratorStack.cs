using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Contracts;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Orchestrator.Auth;
using Orchestrator.Hosting;

namespace Runner.Tests.Agent;

/// <summary>
/// The real orchestrator on a free loopback port against a fresh database (from <c>ORCHESTRATOR_TEST_DB</c>, which
/// scripts/test.sh exports), with a 3 s lease so that expiry paths run in seconds. One per test class.
/// </summary>
public sealed class OrchestratorStack : IAsyncLifetime
{
    private readonly string _database = $"runner_test_{Guid.NewGuid():N}";
    private WebApplication _app = null!;

    public Uri Server { get; private set; } = null!;
    /// <summary>The test's own database.</summary>
    public string ConnectionString { get; private set; } = "";
    public HttpClient User { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        var admin = Environment.GetEnvironmentVariable("ORCHESTRATOR_TEST_DB") is { Length: > 0 } value
            ? value
            : throw new InvalidOperationException("ORCHESTRATOR_TEST_DB is not set: run the tests through scripts/test.sh");
        await using (var connection = new NpgsqlConnection(admin))
        {
            await connection.OpenAsync();
            await using var create = new NpgsqlCommand($"CREATE DATABASE {_database}", connection);
            await create.ExecuteNonQueryAsync();
        }

        var connectionString = ConnectionString = new NpgsqlConnectionStringBuilder(admin) { Database = _database }.ConnectionString;
        _app = ServerHost.Build(ServerHost.CreateBuilder(
        [
            "--urls", "http://127.0.0.1:0",
            "--db", connectionString,
            "--Logging:LogLevel:Default", "Warning",
            "--Dispatch:LeaseSeconds", "3",
            "--Dispatch:RetryBackoffSeconds", "0.2",
            "--Dispatch:MaxRetryBackoffSeconds", "1",
            "--Dispatch:SweepIntervalMilliseconds", "200",
        ]));
        await ServerHost.StartAsync(_app, CancellationToken.None);
        Server = new Uri(_app.Urls.First().TrimEnd('/') + "/");
        User = new HttpClient { BaseAddress = Server, Timeout = TimeSpan.FromSeconds(60) };
        User.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", await CreateTokenAsync(TokenKinds.User));
    }

    public Task<string> CreateTokenAsync(string kind) =>
        _app.Services.GetRequiredService<TokenStore>().CreateAsync(kind, $"runner-tests-{kind}", CancellationToken.None);

    /// <summary>Applies a rollout; returns the run id.</summary>
    public async Task<Guid> ApplyAsync(JsonObject spec)
    {
        using var response = await User.PostAsJsonAsync("api/rollouts", spec, ContractJson.Options);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, body);
        return JsonNode.Parse(body)!["id"]!.GetValue<Guid>();
    }

    public async Task<JsonObject> RunAsync(Guid runId) =>
        (await User.GetFromJsonAsync<JsonObject>($"api/runs/{runId}"))!;

    public async Task<JsonObject> StepAsync(Guid runId, string name) =>
        (await RunAsync(runId))["steps"]!.AsArray().Select(s => s!.AsObject()).Single(s => s["name"]!.GetValue<string>() == name);

    public async Task<string> LogsAsync(Guid runId)
    {
        var lines = (await User.GetFromJsonAsync<JsonArray>($"api/runs/{runId}/logs"))!;
        return string.Join('\n', lines.Select(l => l!["text"]!.GetValue<string>()));
    }

    public async Task DisposeAsync()
    {
        User.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
        NpgsqlConnection.ClearAllPools();
        await using var connection = new NpgsqlConnection(Environment.GetEnvironmentVariable("ORCHESTRATOR_TEST_DB"));
        await connection.OpenAsync();
        await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS {_database} WITH (FORCE)", connection);
        await drop.ExecuteNonQueryAsync();
    }
}
