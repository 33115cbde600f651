using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using Contracts;
using Contracts.Protocol;

namespace DispatchBench;

/// <summary>One runner over the real protocol: claim, heartbeat once, complete. A busy runner asks for its next step
/// with the completion (as the runner agent does), so a step costs two HTTP calls.</summary>
public sealed class RunnerLoop(HttpClient http) : IDisposable
{
    private static long s_requests;

    /// <summary>HTTP calls made by all loops so far.</summary>
    public static long Requests => Interlocked.Read(ref s_requests);

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
        Interlocked.Increment(ref s_requests);
        using var response = await http.PostAsync($"/api/runners/claim?waitSeconds={waitSeconds}", null, cancellationToken);
        if (response.StatusCode == HttpStatusCode.NoContent) return null;
        response.EnsureSuccessStatusCode();
        return await response.Content.ReadFromJsonAsync<StepClaim>(ContractJson.Options, cancellationToken);
    }

    /// <summary>Returns the next step when <paramref name="claimNext"/> and one was ready.</summary>
    public async Task<StepClaim?> HeartbeatAndCompleteAsync(StepClaim claim, bool claimNext, CancellationToken cancellationToken)
    {
        Interlocked.Add(ref s_requests, 2);
        using (var beat = await http.PostAsJsonAsync($"/api/steps/{claim.StepId}/heartbeat", new HeartbeatRequest(claim.LeaseToken), ContractJson.Options, cancellationToken))
            beat.EnsureSuccessStatusCode();
        using var done = await http.PostAsJsonAsync($"/api/steps/{claim.StepId}/complete",
            new CompleteStepRequest(claim.LeaseToken, StepStatuses.Succeeded, ClaimNext: claimNext), ContractJson.Options, cancellationToken);
        done.EnsureSuccessStatusCode();
        return done.StatusCode == HttpStatusCode.NoContent ? null : await done.Content.ReadFromJsonAsync<StepClaim>(ContractJson.Options, cancellationToken);
    }

    public void Dispose() => http.Dispose();
}
