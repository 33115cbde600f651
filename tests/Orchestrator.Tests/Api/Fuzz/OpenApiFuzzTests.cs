using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Orchestrator.Auth;
using Orchestrator.Tests.Access;
using Orchestrator.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Orchestrator.Tests.Api.Fuzz;

/// <summary>
/// Every operation of the served OpenAPI document, sent malformed bodies, hostile path and query values and every kind
/// of caller, against the real service on a real database: no answer may be 5xx, and every 4xx is problem+json.
/// </summary>
public sealed class OpenApiFuzzTests(ITestOutputHelper output)
{
    private const int Parallel = 8;

    [Fact]
    public async Task EveryOperation_UnderHostileInput_AnswersNo5xx_AndEvery4xxIsProblemJson()
    {
        await using var h = await Harness.StartAsync(
            "--Dispatch:MaxClaimWaitSeconds", "1", "--GitHub:WebhookSecret", "fuzz-secret",
            "--Limits:Rates:Users:PermitLimit", "1000000", "--Limits:Rates:Anonymous:PermitLimit", "1000000", "--Limits:Rates:Runners:PermitLimit", "1000000");
        using var anonymous = h.Server.Client();
        var document = (await anonymous.GetFromJsonAsync<JsonObject>("/openapi/v1.json"))!;
        var operations = FuzzOperation.Read(document);
        var admin = await IssuedTokens.CreateAsync(h.Server, Roles.Admin);
        using var runner = await h.RunnerAsync();
        var callers = new Dictionary<string, string?>
        {
            ["none"] = null,
            ["wrong"] = "not-a-token",
            ["viewer"] = await IssuedTokens.CreateAsync(h.Server, Roles.Viewer),
            ["operator"] = await IssuedTokens.CreateAsync(h.Server, Roles.Operator),
            ["admin"] = admin,
            ["runner"] = runner.Http.DefaultRequestHeaders.Authorization!.Parameter,
            ["registration"] = await h.Server.CreateTokenAsync(TokenKinds.Registration, "fuzz"),
        };

        var failures = new ConcurrentBag<string>();
        var sent = 0;
        var clock = Stopwatch.StartNew();
        using var gate = new SemaphoreSlim(Parallel);
        var requests = operations.SelectMany(operation => Requests(document, operation, callers, admin)).ToList();
        await Task.WhenAll(requests.Select(async request =>
        {
            await gate.WaitAsync();
            try
            {
                Interlocked.Increment(ref sent);
                if (await CheckAsync(h.Server, request) is { } failure) failures.Add(failure);
            }
            finally
            {
                gate.Release();
            }
        }));

        output.WriteLine($"fuzzed {operations.Count} operations with {sent} requests in {clock.Elapsed.TotalSeconds:F1} s: {failures.Count} failures");
        Assert.True(operations.Count > 40, $"only {operations.Count} operations in the document");
        Assert.True(failures.IsEmpty, string.Join('\n', failures.Order().Take(60)));
    }

    private static IEnumerable<FuzzRequest> Requests(JsonObject document, FuzzOperation operation, Dictionary<string, string?> callers, string admin)
    {
        var ordinaryPath = operation.PathWith("fuzz-" + Guid.NewGuid().ToString("N")[..8]);
        var body = operation.BodySchema is { } schema ? FuzzCases.Minimal(document, schema) : null;
        foreach (var (caller, token) in callers)
            yield return new FuzzRequest(operation, $"caller {caller}", ordinaryPath, token, body is null ? null : () => FuzzCases.Json(body.DeepClone()));
        foreach (var value in FuzzCases.HostileValues)
        {
            if (operation.PathParameters.Count > 0)
                yield return new FuzzRequest(operation, $"path {Short(value)}", operation.PathWith(value), admin, body is null ? null : () => FuzzCases.Json(body.DeepClone()));
            var query = string.Join('&', operation.QueryParameters.Append("unknown").Select(name => $"{name}={value}"));
            yield return new FuzzRequest(operation, $"query {Short(value)}", $"{ordinaryPath}?{query}", admin, body is null ? null : () => FuzzCases.Json(body.DeepClone()));
        }
        if (operation.BodySchema is { } bodySchema)
        {
            foreach (var (name, _) in FuzzCases.MalformedBodies(document, bodySchema))
                yield return new FuzzRequest(operation, $"body {name}", ordinaryPath, admin,
                    () => FuzzCases.MalformedBodies(document, bodySchema).First(b => b.Name == name).Content);
        }
    }

    private static async Task<string?> CheckAsync(TestServer server, FuzzRequest request)
    {
        using var client = server.Client(request.Token);
        client.Timeout = TimeSpan.FromSeconds(20);
        using var message = new HttpRequestMessage(request.Operation.Method, new Uri(request.PathAndQuery, UriKind.Relative)) { Content = request.Body?.Invoke() };
        HttpResponseMessage response;
        try
        {
            // Headers only: a log follow or an event stream answers 200 and would not end by itself.
            response = await client.SendAsync(message, HttpCompletionOption.ResponseHeadersRead);
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            return $"{request}: no answer ({e.GetType().Name}: {e.Message})";
        }
        using (response)
        {
            var status = (int)response.StatusCode;
            if (status >= 500) return $"{request}: {status} {await response.Content.ReadAsStringAsync()}";
            if (status < 400) return null;
            var mediaType = response.Content.Headers.ContentType?.MediaType;
            // The only answers not written by the service: Kestrel refuses a request line past its limit (414) and a
            // malformed request line or target (a bare 400, e.g. %00 in the path, which it decodes before routing)
            // before any middleware runs, with an empty body.
            var kestrel = status is 414 || status is 400 && response.Content.Headers.ContentLength == 0
                && (request.PathAndQuery.Length > 8000 || request.PathAndQuery.Split('?')[0].Contains("%00", StringComparison.Ordinal));
            if (mediaType != "application/problem+json" && !kestrel) return $"{request}: {status} as {mediaType ?? "no content type"}";
            return null;
        }
    }

    private static string Short(string value) => value.Length > 40 ? $"{value[..10]}…({value.Length})" : value;

    private sealed record FuzzRequest(FuzzOperation Operation, string Case, string PathAndQuery, string? Token, Func<HttpContent>? Body)
    {
        public override string ToString() => $"{Operation} [{Case}]";
    }
}
