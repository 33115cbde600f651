using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace CloudTargets.Tests.Fakes;

/// <summary>
/// The pod proxy, <c>/api/v1/namespaces/NS/pods/POD:PORT/proxy/PATH</c>: forwards to the <see cref="FakeEngine"/> of the
/// pod's revision when the pod exists, is ready and declares the port; otherwise answers as the API server does, with a
/// Status object: 404 for a pod it does not know, 503 when it cannot reach the pod's port.
/// </summary>
internal sealed partial class FakeKubernetes
{
    private readonly Dictionary<string, FakeEngine> _engines = new(StringComparer.Ordinal);

    /// <summary>The engine a revision's pods run. Every revision starts with the same checkpoint (their answers agree)
    /// until a test changes its engine.</summary>
    public FakeEngine Engine(string revision)
    {
        lock (_gate)
        {
            if (!_engines.TryGetValue(revision, out var engine)) _engines[revision] = engine = new FakeEngine();
            return engine;
        }
    }

    /// <summary>Revisions whose pods the API server cannot dial although they are ready (a firewall between the
    /// control plane and the nodes, as on a private GKE cluster without the rule).</summary>
    public HashSet<string> UnreachableRevisions { get; } = new(StringComparer.Ordinal);

    [GeneratedRegex("^/api/v1/namespaces/([^/]+)/pods/([^/:]+)(?::([0-9]+))?/proxy(/.*)?$")]
    private static partial Regex ProxyPath();

    private static bool IsProxyPath(string path) => ProxyPath().IsMatch(path);

    // Called under the lock.
    private RawReply Proxy(string method, string path, string body)
    {
        var match = ProxyPath().Match(path);
        var (ns, name) = (match.Groups[1].Value, match.Groups[2].Value);
        var port = match.Groups[3].Success ? int.Parse(match.Groups[3].Value, CultureInfo.InvariantCulture) : 80;
        var rest = match.Groups[4].Success ? match.Groups[4].Value : "/";
        if (Pods(ns).FirstOrDefault(p => (string?)p["metadata"]!["name"] == name) is not { } pod)
        {
            return Raw(Status(404, "NotFound", $"pods \"{name}\" not found"));
        }

        var ready = pod["status"]!["conditions"]!.AsArray().Any(c => (string?)c!["type"] == "Ready" && (string?)c["status"] == "True");
        var ports = (pod["spec"]?["containers"] as JsonArray ?? [])
            .SelectMany(c => c!["ports"] as JsonArray ?? []).Select(p => (int?)p!["containerPort"]).ToList();
        if (!ready || !ports.Contains(port) || (string?)pod["metadata"]!["labels"]?["job-name"] is not null)
        {
            return Raw(Status(503, "ServiceUnavailable",
                $"error trying to reach service: dial tcp {(string?)pod["status"]!["podIP"]}:{port}: connect: connection refused"));
        }

        if (UnreachableRevisions.Contains(Revision(pod)))
        {
            return Raw(Status(503, "ServiceUnavailable",
                $"error trying to reach service: dial tcp {(string?)pod["status"]!["podIP"]}:{port}: i/o timeout"));
        }

        return Engine(Revision(pod)).Answer(name, port, method, rest, body);
    }

    private static RawReply Raw(Reply reply) => new(reply.Status, "application/json", reply.Body!.ToJsonString());
}
