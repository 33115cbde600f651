using System.Text;
using System.Text.Json.Nodes;
using CloudTargets.Google;
using CloudTargets.Tests.Schemas;
using Microsoft.AspNetCore.Http;

namespace CloudTargets.Tests.Fakes;

/// <summary>
/// In-process fake of GKE (<c>/container/</c>), IAM (<c>/iam/</c>), Resource Manager (<c>/crm/</c>), Cloud Storage's JSON
/// API (<c>/storage/v1/</c>) and Google's OAuth token endpoint (<c>/token</c>), on one port. It keeps the documented
/// semantics (long-running operations PENDING → RUNNING → DONE, 404/409/429 in Google's error shape, IAM etags, a new
/// service account invisible for a few reads), checks every body against <c>shared/schemas/gcp</c>, records every call,
/// and injects faults. State changes are serialised by one lock: the fake is small, not fast.
/// </summary>
internal sealed partial class FakeGoogleCloud : IAsyncDisposable
{
    public const string AccessToken = "ya29.fake-access-token";
    private readonly Lock _gate = new();
    private readonly List<RecordedCall> _calls = [];
    private readonly List<Fault> _faults = [];
    private FakeHost? _host;

    public Uri Address => _host!.Address;

    public GoogleEndpoints Endpoints => new()
    {
        Container = new Uri(Address, "container/"),
        Iam = new Uri(Address, "iam/"),
        ResourceManager = new Uri(Address, "crm/"),
        Storage = new Uri(Address, "storage/v1/"),
    };

    /// <summary>The Kubernetes API server the fake clusters point at (endpoint <c>host:port</c>, base64 PEM CA).</summary>
    public (string Endpoint, string CaBase64)? KubernetesApi { get; set; }

    /// <summary>The token endpoint refuses every grant (a revoked key).</summary>
    public bool RejectTokens { get; set; }

    /// <summary>Polls an operation answers before DONE (0: DONE at the first poll).</summary>
    public int OperationPolls { get; set; } = 1;

    /// <summary>How long operations of a type (<c>CREATE_CLUSTER</c>, <c>CREATE_NODE_POOL</c>) stay RUNNING, in wall
    /// time, instead of a number of polls.</summary>
    public Dictionary<string, TimeSpan> OperationDurations { get; } = new(StringComparer.Ordinal);

    /// <summary>While set, operations stay RUNNING.</summary>
    public bool HoldOperations { get; set; }

    /// <summary>TPU node pools fail with ZONE_RESOURCE_POOL_EXHAUSTED.</summary>
    public bool TpuStockOut { get; set; }

    /// <summary>Zones where a TPU node pool's instances cannot be created: the operation fails as GKE reports a managed
    /// instance group that got GCE_STOCKOUT (code 13), and the pool stays in ERROR until deleted.</summary>
    public HashSet<string> StockedOutZones { get; } = new(StringComparer.Ordinal);

    /// <summary>The next cluster create operation ends with this error (code 13 INTERNAL).</summary>
    public string? FailNextClusterOperation { get; set; }

    /// <summary>Reads of a new service account that still answer 404 (IAM is eventually consistent).</summary>
    public int ServiceAccountInvisibleReads { get; set; } = 2;

    /// <summary>Before each of the next N project setIamPolicy calls, another writer changes the policy.</summary>
    public int ConcurrentProjectPolicyWrites { get; set; }

    public IReadOnlyList<RecordedCall> Calls
    {
        get
        {
            lock (_gate)
            {
                return [.. _calls];
            }
        }
    }

    public static async Task<FakeGoogleCloud> StartAsync()
    {
        // The schemas it checks requests against come from ../shared: a missing copy fails here, naming the path,
        // instead of as a 500 from inside the fake.
        _ = Schemas.GoogleSchema.Instance;
        var fake = new FakeGoogleCloud();
        fake._host = await FakeHost.StartAsync(fake.HandleAsync);
        return fake;
    }

    public void Inject(string method, string pathContains, Reply reply, int times = 1)
    {
        lock (_gate)
        {
            _faults.Add(new Fault(method, pathContains, reply, times));
        }
    }

    public int Count(string method, string pathContains) =>
        Calls.Count(c => c.Method == method && c.Path.Contains(pathContains, StringComparison.Ordinal));

    public ValueTask DisposeAsync() => _host?.DisposeAsync() ?? ValueTask.CompletedTask;

    private async Task HandleAsync(HttpContext context)
    {
        var request = context.Request;
        var path = request.Path.Value ?? "";
        var pathAndQuery = path + request.QueryString.Value;
        Reply reply;
        if (IsResumable(request))
        {
            reply = await ResumableAsync(context);
            lock (_gate)
            {
                _calls.Add(new RecordedCall(request.Method, pathAndQuery, null, reply.Status));
            }

            await WriteAsync(context, reply);
            return;
        }

        // The Cloud client libraries gzip their request bodies, as the real endpoints accept.
        var stream = request.Headers.ContentEncoding.ToString() == "gzip"
            ? new System.IO.Compression.GZipStream(request.Body, System.IO.Compression.CompressionMode.Decompress)
            : request.Body;
        var text = await new StreamReader(stream, Encoding.UTF8).ReadToEndAsync(context.RequestAborted);
        JsonNode? body = null;
        try
        {
            // The OAuth token endpoint takes a form, every API a JSON body.
            body = text.Length == 0 || path == "/token" ? null : JsonNode.Parse(text);
            reply = Dispatch(request.Method, path, request, body, text);
        }
        catch (System.Text.Json.JsonException e)
        {
            reply = Reply.GoogleError(400, "INVALID_ARGUMENT", $"Invalid JSON payload received. {e.Message}");
        }

        lock (_gate)
        {
            _calls.Add(new RecordedCall(request.Method, pathAndQuery, body, reply.Status));
        }

        await WriteAsync(context, reply);
    }

    private static async Task WriteAsync(HttpContext context, Reply reply)
    {
        context.Response.StatusCode = reply.Status;
        if (reply.Body is not null)
        {
            context.Response.ContentType = "application/json; charset=UTF-8";
            await context.Response.WriteAsync(reply.Body.ToJsonString(), context.RequestAborted);
        }
    }

    private Reply Dispatch(string method, string path, HttpRequest request, JsonNode? body, string text)
    {
        if (path == "/token" && RejectTokens)
        {
            // What Google's token endpoint answers for a revoked or deleted service account key.
            return new Reply(400, new JsonObject { ["error"] = "invalid_grant", ["error_description"] = "Invalid JWT Signature." });
        }

        if (path == "/token")
        {
            return Reply.Ok(new JsonObject { ["access_token"] = AccessToken, ["token_type"] = "Bearer", ["expires_in"] = 3600 });
        }

        if (!Authorized(request.Headers.Authorization.ToString()))
        {
            return Reply.GoogleError(401, "UNAUTHENTICATED", "Request had invalid authentication credentials.");
        }

        lock (_gate)
        {
            if (_faults.FirstOrDefault(f => f.Matches(method, path)) is { } fault)
            {
                fault.Remaining--;
                return fault.Reply;
            }

            if (path.StartsWith("/container/", StringComparison.Ordinal))
            {
                return Container(method, path["/container".Length..], body);
            }

            if (path.StartsWith("/iam/", StringComparison.Ordinal))
            {
                return Iam(method, path["/iam".Length..], body, text);
            }

            if (path.StartsWith("/crm/", StringComparison.Ordinal))
            {
                return ResourceManager(method, path["/crm".Length..], body);
            }

            if (path.StartsWith("/upload/storage/v1/", StringComparison.Ordinal))
            {
                return Upload(method, path["/upload/storage/v1".Length..], request, text);
            }

            if (path.StartsWith("/storage/v1/", StringComparison.Ordinal))
            {
                return Storage(method, path["/storage/v1".Length..], request, body);
            }
        }

        return Reply.NotFound(path);
    }

    /// <summary>Checks a body against its request message; the answer Google gives to a bad one.</summary>
    private static Reply? CheckBody(string message, JsonNode? body)
    {
        if (GoogleSchema.Instance.Validate(message, body ?? new JsonObject()) is { } violation)
        {
            return Reply.GoogleError(400, "INVALID_ARGUMENT", violation.Message, violation.Field);
        }

        return null;
    }

    /// <summary>An access token from the fake token endpoint, or a service account's self-signed JWT (what the Cloud
    /// client libraries send instead of an OAuth token; the fake checks its shape and issuer, not its signature).</summary>
    private static bool Authorized(string header)
    {
        if (header == $"Bearer {AccessToken}")
        {
            return true;
        }

        var parts = header.StartsWith("Bearer ", StringComparison.Ordinal) ? header[7..].Split('.') : [];
        if (parts.Length != 3)
        {
            return false;
        }

        try
        {
            var payload = parts[1].Replace('-', '+').Replace('_', '/');
            payload = payload.PadRight(payload.Length + (4 - payload.Length % 4) % 4, '=');
            var claims = JsonNode.Parse(Convert.FromBase64String(payload));
            return ((string?)claims?["iss"])?.EndsWith(".iam.gserviceaccount.com", StringComparison.Ordinal) == true;
        }
        catch (FormatException)
        {
            return false;
        }
    }

    private static string NewEtag() => Convert.ToBase64String(Guid.NewGuid().ToByteArray()[..8]);
}
