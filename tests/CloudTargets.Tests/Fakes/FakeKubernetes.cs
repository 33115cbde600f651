using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json.Nodes;
using CloudTargets.Tests.Schemas;
using Microsoft.AspNetCore.Http;

namespace CloudTargets.Tests.Fakes;

/// <summary>
/// In-process fake of a Kubernetes API server over HTTPS (its own CA) for Secrets, ServiceAccounts, Services,
/// Deployments (with <c>/scale</c>), Jobs, HorizontalPodAutoscalers (autoscaling/v2), PodMonitorings
/// (monitoring.googleapis.com/v1) and Pods (with <c>/log</c>, and the pod proxy to each revision's
/// <see cref="FakeEngine"/>). Server-side apply is checked against the 1.35 OpenAPI schemas with strict field validation
/// (400 naming the field; 422 for a missing required field); GET, LIST by label selector, DELETE and 404 behave as
/// documented. Controllers are simulated on read: Deployments become available (or crash-loop, as injected), Jobs
/// complete (or fail) after a read, and their pods carry status (readiness and restarts, as set) and logs.
/// </summary>
internal sealed partial class FakeKubernetes : IAsyncDisposable
{
    private readonly Lock _gate = new();
    private readonly Dictionary<(string Resource, string Namespace, string Name), JsonObject> _objects = [];
    private readonly List<RecordedCall> _calls = [];
    private readonly List<(string Kind, JsonObject Body)> _applied = [];
    private FakeHost? _host;
    private int _version;

    public FakeKubernetes(string token)
    {
        Token = token;
        Certificate = TestCertificate.Create();
        // Every namespace has a default service account, possibly annotated by someone else.
        _objects[("serviceaccounts", "default", "default")] = new JsonObject
        {
            ["apiVersion"] = "v1",
            ["kind"] = "ServiceAccount",
            ["metadata"] = new JsonObject
            {
                ["name"] = "default", ["namespace"] = "default", ["uid"] = Guid.NewGuid().ToString(),
                ["annotations"] = new JsonObject { ["example.com/owner"] = "platform-team" },
            },
        };
    }

    public string Token { get; }
    public X509Certificate2 Certificate { get; }
    public Uri Address => _host!.Address;
    public string Endpoint => $"{Address.Host}:{Address.Port}";

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

    /// <summary>Every object applied, as received.</summary>
    public IReadOnlyList<(string Kind, JsonObject Body)> Applied
    {
        get
        {
            lock (_gate)
            {
                return [.. _applied];
            }
        }
    }

    public static async Task<FakeKubernetes> StartAsync(string token)
    {
        // The schemas it checks requests against come from ../shared: a missing copy fails here, naming the path,
        // instead of as a 500 from inside the fake.
        _ = Schemas.KubeSchema.Instance;
        var fake = new FakeKubernetes(token);
        fake._host = await FakeHost.StartAsync(fake.HandleAsync, fake.Certificate);
        return fake;
    }

    public JsonObject? Get(string resource, string ns, string name)
    {
        lock (_gate)
        {
            return _objects.GetValueOrDefault((resource, ns, name))?.DeepClone().AsObject();
        }
    }

    public IReadOnlyList<string> Names(string resource)
    {
        lock (_gate)
        {
            return _objects.Keys.Where(k => k.Resource == resource).Select(k => k.Name).Order(StringComparer.Ordinal).ToList();
        }
    }

    /// <summary>The API server goes down: its port refuses connections from now on.</summary>
    public async Task StopAsync()
    {
        if (Interlocked.Exchange(ref _host, null) is { } host)
        {
            await host.DisposeAsync();
        }
    }

    public async ValueTask DisposeAsync() => await StopAsync();

    private async Task HandleAsync(HttpContext context)
    {
        var request = context.Request;
        var text = await new StreamReader(request.Body, Encoding.UTF8).ReadToEndAsync(context.RequestAborted);
        var path = request.Path.Value ?? "";
        var authorized = request.Headers.Authorization.ToString() == $"Bearer {Token}";
        if (authorized && IsProxyPath(path))
        {
            await ProxyAsync(context, path, text);
            return;
        }

        var body = text.Length == 0 ? null : JsonNode.Parse(text);
        Reply reply;
        string? plain = null;
        if (!authorized)
        {
            reply = Status(401, "Unauthorized", "Unauthorized");
        }
        else
        {
            lock (_gate)
            {
                (reply, plain) = Dispatch(request, path, body);
            }
        }

        lock (_gate)
        {
            _calls.Add(new RecordedCall(request.Method, path + request.QueryString.Value, body, reply.Status));
        }

        context.Response.StatusCode = reply.Status;
        if (plain is not null)
        {
            context.Response.ContentType = "text/plain";
            await context.Response.WriteAsync(plain, context.RequestAborted);
        }
        else if (reply.Body is not null)
        {
            context.Response.ContentType = "application/json";
            await context.Response.WriteAsync(reply.Body.ToJsonString(), context.RequestAborted);
        }
    }

    private async Task ProxyAsync(HttpContext context, string path, string text)
    {
        var request = context.Request;
        RawReply reply;
        lock (_gate)
        {
            reply = Proxy(request.Method, path, text);
            _calls.Add(new RecordedCall(request.Method, path + request.QueryString.Value, ParseOrNull(text), reply.Status));
        }

        context.Response.StatusCode = reply.Status;
        context.Response.ContentType = reply.ContentType;
        await context.Response.WriteAsync(reply.Body, context.RequestAborted);
    }

    private static JsonNode? ParseOrNull(string text)
    {
        try
        {
            return text.Length == 0 ? null : JsonNode.Parse(text);
        }
        catch (System.Text.Json.JsonException)
        {
            return null;
        }
    }

    private (Reply, string?) Dispatch(HttpRequest request, string path, JsonNode? body)
    {
        // /api/v1/namespaces/NS/RES[/NAME[/SUB]] or /apis/GROUP/VERSION/namespaces/NS/RES[/NAME[/SUB]]
        var parts = path.Trim('/').Split('/');
        var offset = parts[0] == "api" ? 2 : 3;
        if (parts.Length < offset + 3 || parts[offset] != "namespaces")
        {
            return (Status(404, "NotFound", $"the server could not find the requested resource ({path})"), null);
        }

        var ns = parts[offset + 1];
        var resource = parts[offset + 2];
        var name = parts.Length > offset + 3 ? parts[offset + 3] : null;
        var sub = parts.Length > offset + 4 ? parts[offset + 4] : null;
        if (name is null)
        {
            return request.Method switch
            {
                "GET" => (List(resource, ns, request.Query["labelSelector"]), null),
                "POST" => (Create(resource, ns, body, request.Query["fieldValidation"]), null),
                _ => (Status(405, "MethodNotAllowed", "not supported"), null),
            };
        }

        return (request.Method, sub) switch
        {
            ("GET", "log") => Log(ns, name, request),
            ("GET", null) => (Read(resource, ns, name), null),
            ("PATCH", null) when request.ContentType?.StartsWith("application/apply-patch", StringComparison.Ordinal) == true =>
                (Apply(resource, ns, name, body, request.Query["fieldValidation"]), null),
            ("PATCH", null) when request.ContentType?.StartsWith("application/merge-patch+json", StringComparison.Ordinal) == true =>
                (MergePatch(resource, ns, name, body), null),
            ("PATCH", "scale") => (Scale(ns, name, body), null),
            ("DELETE", null) => (Delete(resource, ns, name), null),
            _ => (Status(405, "MethodNotAllowed", $"{request.Method} {path} is not supported by this fake"), null),
        };
    }

    private Reply Apply(string resource, string ns, string name, JsonNode? body, string? fieldValidation)
    {
        if (body is not JsonObject obj || (string?)obj["kind"] is not { } kind)
        {
            return Status(400, "BadRequest", "apply patch must be an object with apiVersion and kind");
        }

        if (fieldValidation == "Strict" || fieldValidation is null)
        {
            var (strict, required) = Validate(kind, obj);
            if (strict.Count > 0)
            {
                return Status(400, "BadRequest", $"failed to create typed patch object ({ns}/{name}; Kind={kind}): {string.Join("; ", strict)}");
            }

            if (required.Count > 0 && !_objects.ContainsKey((resource, ns, name)))
            {
                return Status(422, "Invalid", $"{kind} \"{name}\" is invalid: {string.Join("; ", required)}");
            }
        }

        _applied.Add((kind, obj.DeepClone().AsObject()));
        var stored = Merge(_objects.GetValueOrDefault((resource, ns, name)), obj);
        _objects[(resource, ns, name)] = stored;
        return new Reply(200, WithStatus(resource, stored));
    }

    /// <summary>The applier owns every field it sends: its fields replace the stored ones; labels and annotations of
    /// other managers stay. The generation moves only when the spec changes, as the API server does.</summary>
    private JsonObject Merge(JsonObject? existing, JsonObject applied)
    {
        var merged = applied.DeepClone().AsObject();
        var metadata = merged["metadata"]!.AsObject();
        if (existing is null)
        {
            metadata["uid"] = Guid.NewGuid().ToString();
            _createdAt[(string)metadata["uid"]!] = DateTime.UtcNow;
            metadata["creationTimestamp"] = DateTime.UtcNow.ToString("yyyy-MM-ddTHH:mm:ssZ", System.Globalization.CultureInfo.InvariantCulture);
            metadata["generation"] = 1;
            metadata["resourceVersion"] = (++_version).ToString(System.Globalization.CultureInfo.InvariantCulture);
            return merged;
        }

        var old = existing["metadata"]!.AsObject();
        foreach (var map in new[] { "labels", "annotations" })
        {
            if (old[map] is JsonObject previous)
            {
                var target = metadata[map] as JsonObject ?? [];
                foreach (var (key, value) in previous.Where(p => !target.ContainsKey(p.Key)).ToList())
                {
                    target[key] = value?.DeepClone();
                }

                metadata[map] = target;
            }
        }

        foreach (var field in new[] { "uid", "creationTimestamp", "generation", "resourceVersion" })
        {
            metadata[field] = old[field]?.DeepClone();
        }

        var specChanged = !JsonNode.DeepEquals(existing["spec"], merged["spec"]);
        if (specChanged)
        {
            metadata["generation"] = ((int?)old["generation"] ?? 1) + 1;
        }

        if (!JsonNode.DeepEquals(Strip(existing), Strip(merged)))
        {
            metadata["resourceVersion"] = (++_version).ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        if (existing["status"] is { } status)
        {
            merged["status"] = status.DeepClone();
        }

        return merged;
    }

    private static JsonObject Strip(JsonObject obj)
    {
        var copy = obj.DeepClone().AsObject();
        copy.Remove("status");
        copy["metadata"]!.AsObject().Remove("resourceVersion");
        return copy;
    }

    private static Reply Status(int code, string reason, string message) => new(code, new JsonObject
    {
        ["kind"] = "Status",
        ["apiVersion"] = "v1",
        ["metadata"] = new JsonObject(),
        ["status"] = code < 400 ? "Success" : "Failure",
        ["message"] = message,
        ["reason"] = reason,
        ["code"] = code,
    });
}
