using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using Contracts;
using Contracts.Protocol;

namespace Runner.Agent;

/// <summary>
/// The runner side of the runner protocol (DESIGN.md, "Runner protocol"; the README lists its calls). Transient
/// failures (connection errors, timeouts, 408, 429, 5xx) are retried with backoff until <c>retryFor</c> has passed;
/// 409 becomes <see cref="LeaseLostException"/>; other answers become <see cref="OrchestratorException"/>. Resending
/// is safe: logs carry sequence numbers and every step call is fenced by the lease token. A completion whose answer
/// was lost and that is sent again gets 409; if it had carried a next claim, that step waits for its lease to expire,
/// as a claim whose answer was lost does.
/// </summary>
internal sealed class OrchestratorClient(HttpClient http, TimeProvider time)
{
    private static readonly TimeSpan CallTimeout = TimeSpan.FromSeconds(30);

    /// <summary>The runner credential; set once registered or loaded.</summary>
    public string? Token { get; set; }

    public async Task<RegisterRunnerResponse> RegisterAsync(
        string registrationToken, RegisterRunnerRequest request, CancellationToken cancellationToken)
    {
        using var response = await SendAsync(
            () => Post("api/runners/register", request, registrationToken), CallTimeout, TimeSpan.FromMinutes(2), cancellationToken);
        return await response.Content.ReadFromJsonAsync<RegisterRunnerResponse>(ContractJson.Options, cancellationToken)
            ?? throw new OrchestratorException((int)response.StatusCode, "empty registration answer");
    }

    /// <summary>Long-polls for a step; null when none came within the wait.</summary>
    public async Task<StepClaim?> ClaimAsync(int waitSeconds, CancellationToken cancellationToken)
    {
        using var response = await SendAsync(
            () => Post($"api/runners/claim?waitSeconds={waitSeconds}", null, Token),
            TimeSpan.FromSeconds(waitSeconds + 15), TimeSpan.Zero, cancellationToken);
        return response.StatusCode == HttpStatusCode.NoContent
            ? null
            : await response.Content.ReadFromJsonAsync<StepClaim>(ContractJson.Options, cancellationToken);
    }

    public async Task<HeartbeatResponse> HeartbeatAsync(
        Guid stepId, HeartbeatRequest request, TimeSpan retryFor, CancellationToken cancellationToken)
    {
        using var response = await SendAsync(
            () => Post($"api/steps/{stepId}/heartbeat", request, Token), CallTimeout, retryFor, cancellationToken);
        return await response.Content.ReadFromJsonAsync<HeartbeatResponse>(ContractJson.Options, cancellationToken)
            ?? throw new OrchestratorException((int)response.StatusCode, "empty heartbeat answer");
    }

    public async Task AppendLogsAsync(Guid stepId, AppendLogsRequest request, CancellationToken cancellationToken)
    {
        using var _ = await SendAsync(
            () => Post($"api/steps/{stepId}/logs", request, Token), CallTimeout, TimeSpan.Zero, cancellationToken);
    }

    /// <summary>Reports the step's end; with <see cref="CompleteStepRequest.ClaimNext"/>, returns the next step when one
    /// was ready.</summary>
    public async Task<StepClaim?> CompleteAsync(Guid stepId, CompleteStepRequest request, CancellationToken cancellationToken)
    {
        using var response = await SendAsync(
            () => Post($"api/steps/{stepId}/complete", request, Token), CallTimeout, TimeSpan.FromMinutes(5), cancellationToken);
        return response.StatusCode == HttpStatusCode.NoContent
            ? null
            : await response.Content.ReadFromJsonAsync<StepClaim>(ContractJson.Options, cancellationToken);
    }

    /// <summary>Takes and renews watch leases (see <see cref="WatchRequest"/>).</summary>
    public async Task<WatchResponse> WatchAsync(WatchRequest request, CancellationToken cancellationToken)
    {
        using var response = await SendAsync(() => Post("api/runners/watches", request, Token), CallTimeout, TimeSpan.Zero, cancellationToken);
        return await response.Content.ReadFromJsonAsync<WatchResponse>(ContractJson.Options, cancellationToken)
            ?? throw new OrchestratorException((int)response.StatusCode, "empty watch answer");
    }

    public async Task<ReportSamplesResponse> ReportSamplesAsync(ReportSamplesRequest request, CancellationToken cancellationToken)
    {
        using var response = await SendAsync(() => Post("api/runners/watches/samples", request, Token), CallTimeout, TimeSpan.Zero, cancellationToken);
        return await response.Content.ReadFromJsonAsync<ReportSamplesResponse>(ContractJson.Options, cancellationToken)
            ?? throw new OrchestratorException((int)response.StatusCode, "empty samples answer");
    }

    public async Task<ReportSamplesResponse> ReportEventsAsync(ReportEventsRequest request, CancellationToken cancellationToken)
    {
        using var response = await SendAsync(() => Post("api/runners/watches/events", request, Token), CallTimeout, TimeSpan.Zero, cancellationToken);
        return await response.Content.ReadFromJsonAsync<ReportSamplesResponse>(ContractJson.Options, cancellationToken)
            ?? throw new OrchestratorException((int)response.StatusCode, "empty events answer");
    }

    public async Task ReleaseAsync(Guid stepId, ReleaseStepRequest request, CancellationToken cancellationToken)
    {
        using var _ = await SendAsync(
            () => Post($"api/steps/{stepId}/release", request, Token), CallTimeout, TimeSpan.FromSeconds(20), cancellationToken);
    }

    public static bool IsTransient(Exception exception, CancellationToken cancellationToken) => exception switch
    {
        HttpRequestException => true,
        TransientStatusException => true,
        OperationCanceledException => !cancellationToken.IsCancellationRequested,
        _ => false,
    };

    private static HttpRequestMessage Post<T>(string path, T? body, string? bearer)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, path);
        if (body is not null)
        {
            request.Content = JsonContent.Create(body, options: ContractJson.Options);
        }

        if (bearer is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", bearer);
        }

        return request;
    }

    private static HttpRequestMessage Post(string path, object? body, string? bearer) => Post<object>(path, body, bearer);

    private async Task<HttpResponseMessage> SendAsync(
        Func<HttpRequestMessage> makeRequest, TimeSpan timeout, TimeSpan retryFor, CancellationToken cancellationToken)
    {
        var deadline = time.GetUtcNow() + retryFor;
        var backoff = new Backoff();
        while (true)
        {
            try
            {
                return await SendOnceAsync(makeRequest, timeout, cancellationToken);
            }
            catch (Exception e) when (IsTransient(e, cancellationToken) && time.GetUtcNow() < deadline)
            {
                await Task.Delay(backoff.Next(), time, cancellationToken);
            }
        }
    }

    private async Task<HttpResponseMessage> SendOnceAsync(
        Func<HttpRequestMessage> makeRequest, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var request = makeRequest();
        using var timeoutSource = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeoutSource.CancelAfter(timeout);
        var response = await http.SendAsync(request, timeoutSource.Token);
        if (response.IsSuccessStatusCode)
        {
            return response;
        }

        using (response)
        {
            var status = (int)response.StatusCode;
            var detail = await response.Content.ReadAsStringAsync(cancellationToken);
            var message = $"{request.Method} /{request.RequestUri} answered {status}: {Truncate(detail)}";
            throw status switch
            {
                409 => new LeaseLostException(message),
                408 or 429 or >= 500 => new TransientStatusException(message),
                _ => new OrchestratorException(status, message),
            };
        }
    }

    private static string Truncate(string text) => text.Length <= 500 ? text : text[..500] + "…";

    private sealed class TransientStatusException(string message) : Exception(message);
}
