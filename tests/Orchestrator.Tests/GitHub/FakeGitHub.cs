using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Logging;

namespace Orchestrator.Tests.GitHub;

/// <summary>
/// GitHub's REST API as Octokit sees it (a GitHub Enterprise Server base, so under <c>/api/v3/</c>), in process on a
/// free loopback port: App installation tokens, repository contents, deployments and deployment statuses. It checks
/// what it receives like GitHub does — a JWT signed RS256 by the App's key for tokens, a current installation token
/// for everything else, the documented JSON fields and nothing else — and answers 401/404/422 in GitHub's error shape.
/// Faults: an outage (503) or a hang on the deployment endpoints.
/// </summary>
public sealed class FakeGitHub : IAsyncDisposable
{
    private static readonly string[] DeploymentFields = ["ref", "task", "auto_merge", "required_contexts", "payload", "environment", "description", "transient_environment", "production_environment"];
    private static readonly string[] StatusFields = ["state", "target_url", "log_url", "description", "environment", "environment_url", "auto_inactive"];
    private static readonly string[] States = ["error", "failure", "inactive", "in_progress", "queued", "pending", "success"];

    private readonly WebApplication _app;
    private readonly RSA _appKey = RSA.Create(2048);
    private readonly ConcurrentDictionary<string, DateTimeOffset> _tokens = new();
    private readonly ConcurrentDictionary<(string Repository, string Path, string Ref), string> _files = new();
    private readonly ConcurrentDictionary<long, ReceivedDeployment> _deployments = new();
    private readonly ConcurrentQueue<ReceivedStatus> _statuses = new();
    private readonly ConcurrentQueue<string> _problems = new();
    private long _nextId = 1000;

    private FakeGitHub(WebApplication app) => _app = app;

    public const long AppId = 4242;
    public Uri BaseAddress { get; private set; } = null!;
    public string AppPrivateKeyPem => _appKey.ExportRSAPrivateKeyPem();
    public TimeSpan TokenLifetime { get; set; } = TimeSpan.FromHours(1);
    public int TokensIssued => _issued;
    private int _issued;
    public ConcurrentQueue<long> InstallationsAsked { get; } = new();
    public ConcurrentQueue<string> ContentRequests { get; } = new();
    /// <summary>While true, deployments and statuses answer 503; while <see cref="HangDeployments"/> is, they never answer.</summary>
    public volatile bool Outage;
    /// <summary>While true, repository contents answer 502.</summary>
    public volatile bool ContentsOutage;
    public volatile bool HangDeployments;
    public int FailedRequests => _failed;
    private int _failed;

    public IReadOnlyList<ReceivedStatus> Statuses => [.. _statuses];
    public IReadOnlyList<ReceivedDeployment> Deployments => [.. _deployments.Values.OrderBy(d => d.Id)];
    /// <summary>What the fake refused as malformed: a test that sees any of these has found a client bug.</summary>
    public IReadOnlyList<string> Problems => [.. _problems];

    public static async Task<FakeGitHub> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var fake = new FakeGitHub(app);
        fake.Map(app);
        await app.StartAsync();
        fake.BaseAddress = new Uri(app.Urls.First() + "/");
        return fake;
    }

    /// <summary>A personal access token that the fake accepts from now on.</summary>
    public void AddPersonalToken(string token) => _tokens[token] = DateTimeOffset.MaxValue;

    public void AddFile(string repository, string path, string reference, string text) => _files[(repository.ToLowerInvariant(), path, reference)] = text;

    private void Map(IEndpointRouteBuilder app)
    {
        app.MapPost("/api/v3/app/installations/{id:long}/access_tokens", (long id, HttpRequest request) =>
        {
            if (!ValidAppJwt(request.Headers.Authorization.ToString(), out var why)) return Error(HttpStatusCode.Unauthorized, why);
            InstallationsAsked.Enqueue(id);
            var token = "ghs_" + Convert.ToHexString(RandomNumberGenerator.GetBytes(16));
            var expires = DateTimeOffset.UtcNow.Add(TokenLifetime);
            _tokens[token] = expires;
            Interlocked.Increment(ref _issued);
            return Results.Json(new JsonObject { ["token"] = token, ["expires_at"] = expires.ToString("yyyy-MM-ddTHH:mm:ssZ") }, statusCode: 201);
        });
        app.MapGet("/api/v3/repos/{owner}/{name}/contents/{**path}", (string owner, string name, string path, HttpRequest request) =>
        {
            if (ContentsOutage)
            {
                Interlocked.Increment(ref _failed);
                return Error(HttpStatusCode.BadGateway, "Server Error");
            }
            if (!ValidToken(request, out var why)) return Error(HttpStatusCode.Unauthorized, why);
            var reference = request.Query["ref"].ToString();
            ContentRequests.Enqueue($"{owner}/{name}/{path}@{reference}");
            if (!request.Headers.Accept.ToString().Contains("application/vnd.github.v3.raw", StringComparison.Ordinal))
                return Problem($"contents asked without the raw media type: {request.Headers.Accept}");
            return _files.TryGetValue(($"{owner}/{name}".ToLowerInvariant(), path, reference), out var text)
                ? Results.Text(text, "application/vnd.github.v3.raw")
                : Error(HttpStatusCode.NotFound, "Not Found");
        });
        app.MapPost("/api/v3/repos/{owner}/{name}/deployments", async (string owner, string name, HttpRequest request) =>
        {
            if (await FaultAsync(request) is { } fault) return fault;
            if (!ValidToken(request, out var why)) return Error(HttpStatusCode.Unauthorized, why);
            var body = await ReadAsync(request, DeploymentFields);
            if (body is null || body["ref"]?.GetValue<string>() is not { Length: > 0 } reference || body["environment"]?.GetValue<string>() is not { Length: > 0 } environment)
                return Problem("a deployment needs ref and environment, and only GitHub's fields");
            if (body["required_contexts"] is not JsonArray) return Problem("required_contexts should be sent (empty) so that no commit status blocks the deployment");
            var id = Interlocked.Increment(ref _nextId);
            _deployments[id] = new ReceivedDeployment(id, $"{owner}/{name}", reference, environment, body["auto_merge"]?.GetValue<bool>());
            return Results.Json(new JsonObject
            {
                ["id"] = id, ["node_id"] = $"DE_{id}", ["sha"] = "a10867b14bb761a232cd80139fbd4c0d33264240", ["ref"] = reference, ["task"] = "deploy",
                ["environment"] = environment, ["description"] = body["description"]?.GetValue<string>(), ["created_at"] = DateTimeOffset.UtcNow.ToString("yyyy-MM-ddTHH:mm:ssZ"),
                ["updated_at"] = DateTimeOffset.UtcNow.ToString("yyyy-MM-ddTHH:mm:ssZ"), ["url"] = $"{BaseAddress}api/v3/repos/{owner}/{name}/deployments/{id}",
            }, statusCode: 201);
        });
        app.MapPost("/api/v3/repos/{owner}/{name}/deployments/{id:long}/statuses", async (string owner, string name, long id, HttpRequest request) =>
        {
            if (await FaultAsync(request) is { } fault) return fault;
            if (!ValidToken(request, out var why)) return Error(HttpStatusCode.Unauthorized, why);
            if (!_deployments.TryGetValue(id, out var deployment) || deployment.Repository != $"{owner}/{name}") return Error(HttpStatusCode.NotFound, "Not Found");
            var body = await ReadAsync(request, StatusFields);
            if (body?["state"]?.GetValue<string>() is not { } state || !States.Contains(state)) return Problem($"state must be one of {string.Join(", ", States)}");
            _statuses.Enqueue(new ReceivedStatus(id, state, body["log_url"]?.GetValue<string>(), body["environment_url"]?.GetValue<string>(),
                body["description"]?.GetValue<string>(), body["auto_inactive"]?.GetValue<bool>()));
            return Results.Json(new JsonObject { ["id"] = Interlocked.Increment(ref _nextId), ["state"] = state, ["created_at"] = DateTimeOffset.UtcNow.ToString("yyyy-MM-ddTHH:mm:ssZ") }, statusCode: 201);
        });
    }

    private async Task<IResult?> FaultAsync(HttpRequest request)
    {
        if (HangDeployments)
        {
            Interlocked.Increment(ref _failed);
            await Task.Delay(TimeSpan.FromSeconds(30), request.HttpContext.RequestAborted).ContinueWith(_ => { }, TaskScheduler.Default);
            return Error(HttpStatusCode.GatewayTimeout, "hung");
        }
        if (!Outage) return null;
        Interlocked.Increment(ref _failed);
        return Error(HttpStatusCode.ServiceUnavailable, "Service Unavailable");
    }

    private bool ValidToken(HttpRequest request, out string why)
    {
        var header = request.Headers.Authorization.ToString();
        var token = header.Split(' ', 2) is [var scheme, var value] && scheme.ToLowerInvariant() is "token" or "bearer" ? value : "";
        why = !_tokens.TryGetValue(token, out var expires) ? "Bad credentials" : expires <= DateTimeOffset.UtcNow ? "Bad credentials: the token expired" : "";
        if (why.Length > 0) _problems.Enqueue($"{request.Path}: {why}");
        return why.Length == 0;
    }

    private bool ValidAppJwt(string header, out string why)
    {
        why = "A JSON web token could not be decoded";
        if (!header.StartsWith("Bearer ", StringComparison.Ordinal) || header[7..].Split('.') is not [var h, var p, var s]) return Fail(out why, why);
        if (!_appKey.VerifyData(Encoding.ASCII.GetBytes($"{h}.{p}"), FromBase64Url(s), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1))
            return Fail(out why, "The JWT's signature is not the App's (RS256 with its private key)");
        var head = JsonNode.Parse(FromBase64Url(h))!;
        var claims = JsonNode.Parse(FromBase64Url(p))!;
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var iat = claims["iat"]!.GetValue<long>();
        var exp = claims["exp"]!.GetValue<long>();
        if (head["alg"]?.GetValue<string>() != "RS256") return Fail(out why, "alg must be RS256");
        if (claims["iss"]?.ToString() != AppId.ToString(System.Globalization.CultureInfo.InvariantCulture)) return Fail(out why, "iss is not the App's id");
        if (exp <= now || iat > now + 60 || exp - iat > 600) return Fail(out why, "'Expiration time' claim ('exp') is too far in the future or in the past");
        why = "";
        return true;
    }

    private bool Fail(out string why, string message)
    {
        why = message;
        _problems.Enqueue(message);
        return false;
    }

    private async Task<JsonObject?> ReadAsync(HttpRequest request, string[] allowed)
    {
        JsonObject? body;
        try
        {
            body = (await JsonNode.ParseAsync(request.Body))?.AsObject();
        }
        catch (JsonException e)
        {
            _problems.Enqueue($"{request.Path}: not JSON: {e.Message}");
            return null;
        }
        foreach (var (key, _) in body ?? [])
            if (!allowed.Contains(key)) { _problems.Enqueue($"{request.Path}: unknown field {key}"); return null; }
        return body;
    }

    private IResult Problem(string message)
    {
        _problems.Enqueue(message);
        return Error(HttpStatusCode.UnprocessableEntity, message);
    }

    private static IResult Error(HttpStatusCode status, string message) =>
        Results.Json(new JsonObject { ["message"] = message, ["documentation_url"] = "https://docs.github.com/rest" }, statusCode: (int)status);

    private static byte[] FromBase64Url(string s)
    {
        var padded = s.Replace('-', '+').Replace('_', '/');
        return Convert.FromBase64String(padded + new string('=', (4 - padded.Length % 4) % 4));
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        _appKey.Dispose();
    }
}
