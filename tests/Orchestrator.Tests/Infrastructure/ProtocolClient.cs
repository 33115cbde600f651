using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Contracts;
using Contracts.Protocol;

namespace Orchestrator.Tests.Infrastructure;

/// <summary>A runner's side of the protocol, spoken over real HTTP like the runner does.</summary>
public sealed class ProtocolClient(HttpClient http) : IDisposable
{
    public HttpClient Http => http;

    public static async Task<ProtocolClient> RegisterAsync(TestServer server, string name, params string[] labels)
    {
        var registration = await server.CreateTokenAsync(Auth.TokenKinds.Registration, name);
        using var anonymous = server.Client(registration);
        var response = await anonymous.PostAsJsonAsync("/api/runners/register", new RegisterRunnerRequest(name, labels), ContractJson.Options);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var registered = (await response.Content.ReadFromJsonAsync<RegisterRunnerResponse>(ContractJson.Options))!;
        return new ProtocolClient(server.Client(registered.Token)) { RunnerId = registered.RunnerId };
    }

    public Guid RunnerId { get; private init; }

    public async Task<StepClaim?> ClaimAsync(int waitSeconds = 0)
    {
        using var response = await http.PostAsync($"/api/runners/claim?waitSeconds={waitSeconds}", null);
        if (response.StatusCode == HttpStatusCode.NoContent) return null;
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadFromJsonAsync<StepClaim>(ContractJson.Options);
    }

    public async Task<StepClaim> ClaimRequiredAsync(int waitSeconds = 20) =>
        await ClaimAsync(waitSeconds) ?? throw new Xunit.Sdk.XunitException($"No step was offered within {waitSeconds} s.");

    public Task<HttpResponseMessage> HeartbeatAsync(StepClaim claim) =>
        http.PostAsJsonAsync($"/api/steps/{claim.StepId}/heartbeat", new HeartbeatRequest(claim.LeaseToken), ContractJson.Options);

    public Task<HttpResponseMessage> CompleteAsync(StepClaim claim, string outcome = StepStatuses.Succeeded, JsonObject? outputs = null, string? error = null) =>
        http.PostAsJsonAsync($"/api/steps/{claim.StepId}/complete", new CompleteStepRequest(claim.LeaseToken, outcome, outputs, error), ContractJson.Options);

    /// <summary>Completes with <see cref="CompleteStepRequest.ClaimNext"/>: returns the answer's status and the next step.</summary>
    public async Task<(HttpStatusCode Status, StepClaim? Next)> CompleteAndClaimNextAsync(StepClaim claim, string outcome = StepStatuses.Succeeded, string? error = null)
    {
        using var response = await http.PostAsJsonAsync($"/api/steps/{claim.StepId}/complete",
            new CompleteStepRequest(claim.LeaseToken, outcome, Error: error, ClaimNext: true), ContractJson.Options);
        var next = response.StatusCode == HttpStatusCode.OK ? await response.Content.ReadFromJsonAsync<StepClaim>(ContractJson.Options) : null;
        return (response.StatusCode, next);
    }

    public Task<HttpResponseMessage> ReleaseAsync(StepClaim claim) =>
        http.PostAsJsonAsync($"/api/steps/{claim.StepId}/release", new ReleaseStepRequest(claim.LeaseToken), ContractJson.Options);

    public Task<HttpResponseMessage> LogAsync(StepClaim claim, params string[] lines) =>
        http.PostAsJsonAsync($"/api/steps/{claim.StepId}/logs",
            new AppendLogsRequest(claim.LeaseToken, lines.Select((t, i) => new LogLine(i + 1, DateTimeOffset.UtcNow, t)).ToList()), ContractJson.Options);

    /// <summary>Claims and completes steps as succeeded (with outputs from <paramref name="outputs"/>) until every
    /// given run has ended; returns the claims in order.</summary>
    public async Task<List<StepClaim>> DrainAsync(UserClient user, Guid[] runIds, Func<StepClaim, JsonObject?>? outputs = null, Func<StepClaim, Task>? onClaim = null)
    {
        var done = new List<StepClaim>();
        var deadline = DateTime.UtcNow.AddSeconds(90);
        while (DateTime.UtcNow < deadline)
        {
            if (await ClaimAsync(1) is { } claim)
            {
                if (onClaim is not null) await onClaim(claim);
                using var response = await CompleteAsync(claim, outputs: outputs?.Invoke(claim));
                Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
                done.Add(claim);
                continue;
            }
            var ended = true;
            foreach (var id in runIds) ended &= RunStatuses.IsFinal((await user.GetRunAsync(id)).Status);
            if (ended) return done;
        }
        throw new Xunit.Sdk.XunitException("The runs did not end within 90 s.");
    }

    public void Dispose() => http.Dispose();
}
