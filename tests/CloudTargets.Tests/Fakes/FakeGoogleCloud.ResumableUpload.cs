using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace CloudTargets.Tests.Fakes;

/// <summary>
/// Cloud Storage's resumable uploads, on bytes (not JSON): <c>POST /upload/storage/v1/b/BUCKET/o?uploadType=resumable</c>
/// with the object's metadata answers 200 and a session URI in <c>Location</c>; each <c>PUT</c> to it carries
/// <c>Content-Range: bytes FIRST-LAST/TOTAL</c> (<c>*</c> while the total is unknown, <c>bytes */TOTAL</c> asks how much
/// was persisted) and is answered 308 with <c>Range: bytes=0-N</c> until the last chunk, then 200 with the object. A
/// chunk that does not start where the persisted bytes end is refused, as the real service does; a dropped chunk can be
/// injected to make the client resume.
/// </summary>
internal sealed partial class FakeGoogleCloud
{
    private readonly Dictionary<string, UploadSession> _sessions = new(StringComparer.Ordinal);
    private readonly Dictionary<(string Bucket, string Name), byte[]> _objectBytes = [];

    /// <summary>The next N chunk PUTs that carry bytes are answered 503 after reading them, persisting nothing.</summary>
    public int FailUploadChunks { get; set; }

    /// <summary>Chunk PUTs received, with their Content-Range (what the client sent, for the tests to check).</summary>
    public List<string> UploadChunks { get; } = [];

    /// <summary>The bytes of an object that came through a resumable upload, or null.</summary>
    public byte[]? ObjectBytes(string bucket, string name)
    {
        lock (_gate)
        {
            return _objectBytes.GetValueOrDefault((bucket, name));
        }
    }

    private static bool IsResumable(HttpRequest request) =>
        request.Path.StartsWithSegments("/upload/storage/v1", StringComparison.Ordinal)
        && ((string?)request.Query["uploadType"] == "resumable" || request.Query.ContainsKey("upload_id"));

    private async Task<Reply> ResumableAsync(HttpContext context)
    {
        var request = context.Request;
        if (!Authorized(request.Headers.Authorization.ToString()))
            return Reply.GoogleError(401, "UNAUTHENTICATED", "Request had invalid authentication credentials.");
        using var buffer = new MemoryStream();
        var body = request.Headers.ContentEncoding.ToString() == "gzip"
            ? new System.IO.Compression.GZipStream(request.Body, System.IO.Compression.CompressionMode.Decompress)
            : request.Body;
        await body.CopyToAsync(buffer, context.RequestAborted);
        var parts = (request.Path.Value ?? "")["/upload/storage/v1".Length..].Trim('/').Split('/');
        if (parts is not ["b", var bucket, "o"]) return Reply.NotFound(request.Path.Value ?? "");
        lock (_gate)
        {
            if (!_buckets.ContainsKey(bucket)) return Reply.GoogleError(404, "NOT_FOUND", "The specified bucket does not exist.");
            if (request.Method == "POST" && !request.Query.ContainsKey("upload_id"))
                return StartSession(context, bucket, buffer.ToArray());
            if (request.Method != "PUT" || (string?)request.Query["upload_id"] is not { } id || !_sessions.TryGetValue(id, out var session))
                return Reply.GoogleError(404, "NOT_FOUND", "No such upload session.");
            return Chunk(context, session, buffer.ToArray());
        }
    }

    private Reply StartSession(HttpContext context, string bucket, byte[] body)
    {
        var metadata = body.Length == 0 ? null : JsonNode.Parse(body) as JsonObject;
        var name = (string?)metadata?["name"] ?? (string?)context.Request.Query["name"];
        if (string.IsNullOrEmpty(name)) return Reply.GoogleError(400, "INVALID_ARGUMENT", "Upload requests must include an object name.");
        var session = new UploadSession(bucket, name);
        _sessions[session.Id] = session;
        context.Response.Headers.Location = new Uri(Address, $"upload/storage/v1/b/{bucket}/o?uploadType=resumable&upload_id={session.Id}").ToString();
        return new Reply(200, null);
    }

    private Reply Chunk(HttpContext context, UploadSession session, byte[] bytes)
    {
        var range = context.Request.Headers.ContentRange.ToString();
        UploadChunks.Add(range);
        // "bytes FIRST-LAST/TOTAL", "bytes FIRST-LAST/*", "bytes */TOTAL"
        var spec = range.StartsWith("bytes ", StringComparison.Ordinal) ? range["bytes ".Length..] : "";
        var slash = spec.IndexOf('/', StringComparison.Ordinal);
        if (slash < 0) return Reply.GoogleError(400, "INVALID_ARGUMENT", $"Bad Content-Range '{range}'.");
        long? total = spec[(slash + 1)..] is var t && t != "*" ? long.Parse(t, CultureInfo.InvariantCulture) : null;
        var persisted = session.Bytes.Length;
        if (spec[..slash] != "*")
        {
            var first = long.Parse(spec[..spec.IndexOf('-', StringComparison.Ordinal)], CultureInfo.InvariantCulture);
            if (first != persisted)
                return Reply.GoogleError(400, "INVALID_ARGUMENT", $"Invalid request. The chunk starts at {first}, the upload has {persisted} bytes.");
            if (FailUploadChunks > 0)
            {
                FailUploadChunks--;
                return Reply.GoogleError(503, "UNAVAILABLE", "Backend Error");
            }

            session.Bytes.Write(bytes);
        }

        if (total is { } size && session.Bytes.Length == size)
        {
            var content = session.Bytes.ToArray();
            _sessions.Remove(session.Id);
            _objectBytes[(session.Bucket, session.Name)] = content;
            var md5 = System.Security.Cryptography.MD5.HashData(content);
            _objects[(session.Bucket, session.Name)] = new StoredBlob(content.Length, Convert.ToBase64String(md5[..4]), Convert.ToBase64String(md5), "");
            return Reply.Ok(ObjectJson(session.Bucket, session.Name, _objects[(session.Bucket, session.Name)]));
        }

        if (session.Bytes.Length > 0)
            context.Response.Headers["Range"] = $"bytes=0-{session.Bytes.Length - 1}";
        return new Reply(308, null);
    }

    private sealed class UploadSession(string bucket, string name)
    {
        public string Id { get; } = Guid.NewGuid().ToString("N");
        public string Bucket { get; } = bucket;
        public string Name { get; } = name;
        public MemoryStream Bytes { get; } = new();
    }
}
