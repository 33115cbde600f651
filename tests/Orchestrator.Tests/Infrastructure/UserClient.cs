using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Contracts;
using Orchestrator.Runs;

namespace Orchestrator.Tests.Infrastructure;

/// <summary>The user endpoints, over real HTTP, with a user token.</summary>
public sealed class UserClient(HttpClient http) : IDisposable
{
    public HttpClient Http => http;

    public static async Task<UserClient> CreateAsync(TestServer server) =>
        new(server.Client(await server.CreateTokenAsync(Auth.TokenKinds.User, "tester")));

    public async Task<RunDto> ApplyAsync(JsonObject spec, bool supersede = false)
    {
        using var response = await http.PostAsJsonAsync(supersede ? "/api/rollouts?supersede=true" : "/api/rollouts", spec);
        Assert.True(response.StatusCode == HttpStatusCode.Accepted, await response.Content.ReadAsStringAsync());
        return (await response.Content.ReadFromJsonAsync<RunDto>(ContractJson.Options))!;
    }

    /// <summary>Creates (or updates) an environment of the given target kind.</summary>
    public async Task CreateEnvironmentAsync(string name, string targetKind = "local")
    {
        using var response = await http.PutAsJsonAsync($"/api/environments/{name}", new { targetKind });
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
    }

    public async Task<RunDto> GetRunAsync(Guid id) =>
        (await http.GetFromJsonAsync<RunDto>($"/api/runs/{id}", ContractJson.Options))!;

    public async Task<RunDto> PostAsync(string path)
    {
        using var response = await http.PostAsync(path, null);
        Assert.True(response.StatusCode == HttpStatusCode.Accepted, await response.Content.ReadAsStringAsync());
        return (await response.Content.ReadFromJsonAsync<RunDto>(ContractJson.Options))!;
    }

    /// <summary>Polls until the run reaches <paramref name="status"/>; fails with the run's last state otherwise.</summary>
    public async Task<RunDto> WaitForStatusAsync(Guid id, string status, int timeoutSeconds = 30)
    {
        var deadline = DateTime.UtcNow.AddSeconds(timeoutSeconds);
        RunDto run;
        do
        {
            run = await GetRunAsync(id);
            if (run.Status == status) return run;
            await Task.Delay(100);
        }
        while (DateTime.UtcNow < deadline);
        throw new Xunit.Sdk.XunitException($"Run {id} is {run.Status}, not {status}, after {timeoutSeconds} s: {System.Text.Json.JsonSerializer.Serialize(run, ContractJson.Options)}");
    }

    public void Dispose() => http.Dispose();
}
