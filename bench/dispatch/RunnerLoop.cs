using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using Contracts;
using Contracts.Protocol;

namespace DispatchBench;

/// <summary>One runner over the real protocol: claim, heartbeat once, complete — the three commits a step costs.</summary>
public sealed class RunnerLoop(HttpClient http) : IDisposable
{
    public static async Task<RunnerLoop> RegisterAsync(Uri server, string registrationToken, string name)
    {
        var http = new HttpClient { BaseAddress = server, Timeout = TimeSpan.FromSeconds(100) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", registrationToken);
        using var response = await http.PostAsJsonAsync("/api/runners/register", new RegisterRunnerRequest(name, ["bench"]), ContractJson.Options);
        response.EnsureSuccessStatusCode();
        var registered = (await response.Content.ReadFromJsonAsync<RegisterRunnerResponse>(ContractJson.Options))!;
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", registered.Token);
        return new RunnerLoop(http);
    }

    public async Task<StepClaim?> ClaimAsync(int waitSeconds, CancellationToken cancellationToken)
    {
        using var response = await http.PostAsync($"/api/runners/claim?waitSeconds={waitSeconds}", null, cancellationToken);
        if (response.StatusCode == HttpStatusCode.NoContent) return null;
        response.EnsureSuccessStatusCode();
        return await response.Content.ReadFromJsonAsync<StepClaim>(ContractJson.Options, cancellationToken);
    }

    public async Task HeartbeatAndCompleteAsync(StepClaim claim, CancellationToken cancellationToken)
    {
        using (var beat = await http.PostAsJsonAsync($"/api/steps/{claim.StepId}/heartbeat", new HeartbeatRequest(claim.LeaseToken), ContractJson.Options, cancellationToken))
            beat.EnsureSuccessStatusCode();
        using var done = await http.PostAsJsonAsync($"/api/steps/{claim.StepId}/complete",
            new CompleteStepRequest(claim.LeaseToken, StepStatuses.Succeeded), ContractJson.Options, cancellationToken);
        done.EnsureSuccessStatusCode();
    }

    public void Dispose() => http.Dispose();
}
