using System.Collections.Concurrent;
using System.Net;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Runner.Tests.HuggingFace;

/// <summary>
/// The Hugging Face Hub as seen on the wire, on two real Kestrel servers on loopback: the Hub
/// (<c>GET /api/models/REPO/revision/REV?blobs=true</c>, and <c>GET /REPO/resolve/REV/PATH</c> answering 302 with
/// <c>X-Linked-Etag</c>/<c>X-Repo-Commit</c>) and a CDN on another port that serves the bytes with an <c>ETag</c>,
/// honours <c>Range: bytes=N-</c> (206) and answers 416 to a range past the end. Gated repositories answer 401 without
/// the right token; faults per file (a cut connection, wrong bytes). Every request is recorded for the tests to check
/// (the token must reach the Hub only; ranges must have the form <c>bytes=N-</c>).
/// </summary>
internal sealed partial class FakeHub : IAsyncDisposable
{
    private readonly ConcurrentDictionary<string, FakeHubRepo> _repos = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<FakeHubRequest> _requests = new();
    private readonly ConcurrentDictionary<string, int> _cuts = new(StringComparer.Ordinal);
    private WebApplication? _hub;
    private WebApplication? _cdn;

    public Uri HubUrl { get; private set; } = null!;
    public Uri CdnUrl { get; private set; } = null!;

    public IReadOnlyList<FakeHubRequest> Requests => [.. _requests];
    public IReadOnlyList<FakeHubRequest> CdnRequests => Requests.Where(r => r.Host == "cdn").ToList();
    public IReadOnlyList<FakeHubRequest> ResolveRequests => Requests.Where(r => r.Host == "hub" && r.Path.Contains("/resolve/", StringComparison.Ordinal)).ToList();

    public static async Task<FakeHub> StartAsync()
    {
        var hub = new FakeHub();
        hub._cdn = await StartServerAsync(hub.MapCdn);
        hub.CdnUrl = Address(hub._cdn);
        hub._hub = await StartServerAsync(hub.MapHub);
        hub.HubUrl = Address(hub._hub);
        return hub;
    }

    public FakeHubRepo Add(FakeHubRepo repo) => _repos[repo.Id] = repo;

    private static async Task<WebApplication> StartServerAsync(Action<WebApplication> map)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0));
        builder.Logging.ClearProviders();
        var app = builder.Build();
        map(app);
        await app.StartAsync();
        return app;
    }

    private static Uri Address(WebApplication app) =>
        new(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First() + "/");

    private void MapHub(WebApplication app)
    {
        app.MapGet("/api/models/{org}/{name}/revision/{revision}", (HttpContext context, string org, string name, string revision) =>
        {
            if (Refuse(context, "hub", $"{org}/{name}", revision, out var repo) is { } refusal) return refusal;
            if (context.Request.Query["blobs"] != "true") return Record(context, "hub", Results.BadRequest("the client must ask for blobs=true"), 400);
            var siblings = new JsonArray();
            foreach (var (path, bytes) in repo.Files.OrderBy(f => f.Key, StringComparer.Ordinal))
            {
                var sibling = new JsonObject { ["rfilename"] = path, ["size"] = bytes.Length, ["blobId"] = FakeHubRepo.GitBlobId(bytes) };
                if (repo.IsLfs(path)) sibling["lfs"] = new JsonObject { ["sha256"] = FakeHubRepo.Sha256(bytes), ["size"] = bytes.Length, ["pointerSize"] = 135 };
                siblings.Add(sibling);
            }

            // Files the converter does not read, which a download must leave on the Hub.
            siblings.Add(new JsonObject { ["rfilename"] = "README.md", ["size"] = 10, ["blobId"] = new string('0', 40) });
            siblings.Add(new JsonObject { ["rfilename"] = "original/consolidated.00.pth", ["size"] = 1L << 34, ["blobId"] = new string('1', 40),
                ["lfs"] = new JsonObject { ["sha256"] = new string('2', 64), ["size"] = 1L << 34, ["pointerSize"] = 135 } });
            var body = new JsonObject { ["id"] = repo.Id, ["modelId"] = repo.Id, ["sha"] = repo.Commit, ["private"] = false, ["gated"] = repo.GatedToken is null ? false : "manual", ["siblings"] = siblings };
            return Record(context, "hub", Results.Text(body.ToJsonString(), "application/json"), 200);
        });
        app.MapGet("/{org}/{name}/resolve/{revision}/{**path}", (HttpContext context, string org, string name, string revision, string path) =>
        {
            if (Refuse(context, "hub", $"{org}/{name}", revision, out var repo) is { } refusal) return refusal;
            if (!repo.Files.TryGetValue(path, out var bytes)) return Record(context, "hub", Results.NotFound(), 404);
            var etag = repo.IsLfs(path) ? FakeHubRepo.Sha256(bytes) : FakeHubRepo.GitBlobId(bytes);
            context.Response.Headers["X-Repo-Commit"] = repo.Commit;
            context.Response.Headers["X-Linked-Etag"] = $"\"{etag}\"";
            context.Response.Headers["X-Linked-Size"] = bytes.Length.ToString(System.Globalization.CultureInfo.InvariantCulture);
            return Record(context, "hub", Results.Redirect(new Uri(CdnUrl, $"blobs/{repo.Id}/{path}?expires=3600").ToString()), 302);
        });
    }

    private void MapCdn(WebApplication app) =>
        app.MapGet("/blobs/{org}/{name}/{**path}", async (HttpContext context, string org, string name, string path) =>
        {
            if (!_repos.TryGetValue($"{org}/{name}", out var repo) || !repo.Files.TryGetValue(path, out var bytes))
            {
                Record(context, "cdn", Results.NotFound(), 404);
                context.Response.StatusCode = 404;
                return;
            }

            if (repo.Corrupt.Contains(path)) bytes = [(byte)(bytes[0] ^ 0xff), .. bytes.AsSpan(1)];
            var range = context.Request.Headers.Range.ToString();
            long from = 0;
            if (range.Length > 0)
            {
                var match = RangeForm().Match(range);
                if (!match.Success)
                {
                    Record(context, "cdn", Results.BadRequest(), 400);
                    context.Response.StatusCode = 400;
                    return;
                }

                from = long.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
                var refused = repo.RefuseRangeOnce.Contains(path) && _cuts.AddOrUpdate($"416 {repo.Id}/{path}", 1, (_, n) => n + 1) == 1;
                if (from >= bytes.Length || refused)
                {
                    Record(context, "cdn", Results.StatusCode(416), 416);
                    context.Response.StatusCode = 416;
                    context.Response.Headers.ContentRange = $"bytes */{bytes.Length}";
                    return;
                }
            }

            var status = range.Length > 0 ? 206 : 200;
            Record(context, "cdn", Results.Empty, status);
            context.Response.StatusCode = status;
            context.Response.Headers.ETag = $"\"{FakeHubRepo.Sha256(bytes)}\"";
            context.Response.Headers.AcceptRanges = "bytes";
            if (status == 206) context.Response.Headers.ContentRange = $"bytes {from}-{bytes.Length - 1}/{bytes.Length}";
            context.Response.ContentLength = bytes.Length - from;
            context.Response.ContentType = "application/octet-stream";
            var body = bytes.AsMemory((int)from);
            if (repo.CutOnce.Contains(path) && _cuts.AddOrUpdate($"{repo.Id}/{path}", 1, (_, n) => n + 1) == 1)
            {
                await context.Response.Body.WriteAsync(body[..(body.Length / 2)]);
                await context.Response.Body.FlushAsync();
                context.Abort();
                return;
            }

            await context.Response.Body.WriteAsync(body);
        });

    /// <summary>401 for a gated repository without its token (the real Hub's answer), 404 for an unknown repository or
    /// revision; null when the request may go on.</summary>
    private IResult? Refuse(HttpContext context, string host, string id, string revision, out FakeHubRepo repo)
    {
        if (!_repos.TryGetValue(id, out repo!)) return Record(context, host, Results.NotFound(), 404);
        if (repo.GatedToken is { } token && context.Request.Headers.Authorization.ToString() != $"Bearer {token}")
            return Record(context, host, Results.Text($"Access to model {id} is restricted.", statusCode: 401), 401);
        return revision == "main" || revision == repo.Commit ? null : Record(context, host, Results.NotFound(), 404);
    }

    private IResult Record(HttpContext context, string host, IResult result, int status)
    {
        var authorization = context.Request.Headers.Authorization.ToString();
        var range = context.Request.Headers.Range.ToString();
        _requests.Enqueue(new FakeHubRequest(
            host, context.Request.Path.Value ?? "", authorization.Length > 0 ? authorization : null, range.Length > 0 ? range : null, status));
        return result;
    }

    [GeneratedRegex(@"^bytes=(\d+)-$")]
    private static partial Regex RangeForm();

    public async ValueTask DisposeAsync()
    {
        foreach (var app in new[] { _hub, _cdn }.OfType<WebApplication>())
        {
            await app.StopAsync();
            await app.DisposeAsync();
        }
    }
}
