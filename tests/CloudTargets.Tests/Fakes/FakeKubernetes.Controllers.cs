using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace CloudTargets.Tests.Fakes;

/// <summary>The simulated controllers: Deployment status and pods, Job progress and its pod, pod logs.</summary>
internal sealed partial class FakeKubernetes
{
    public const string RevisionLabel = "orchestrator.dev/revision";
    private readonly Dictionary<string, int> _jobReads = new(StringComparer.Ordinal);
    private readonly Dictionary<string, DateTime> _createdAt = new(StringComparer.Ordinal);

    /// <summary>How long a new Deployment's pods take to become ready (the model load), from its creation.</summary>
    public TimeSpan ModelLoad { get; set; }

    /// <summary>Revisions whose server container crash-loops.</summary>
    public HashSet<string> CrashLoopRevisions { get; } = new(StringComparer.Ordinal);

    /// <summary>Restarts that the server container of each of a revision's pods reports (by revision).</summary>
    public Dictionary<string, int> Restarts { get; } = new(StringComparer.Ordinal);

    /// <summary>How many of a revision's pods fail their readiness probe (the first ones, by revision); the Deployment
    /// counts them as neither ready nor available.</summary>
    public Dictionary<string, int> NotReady { get; } = new(StringComparer.Ordinal);

    /// <summary>The converter Job's pod fails (gated Hugging Face repository).</summary>
    public bool FailJobs { get; set; }

    /// <summary>Reads of a Job that still find it running.</summary>
    public int JobReadsBeforeDone { get; set; } = 1;

    /// <summary>Called once when a Job succeeds (the test writes the converted checkpoint into the fake bucket).</summary>
    public Action<JsonObject>? OnJobSucceeded { get; set; }

    private Reply Read(string resource, string ns, string name) =>
        _objects.TryGetValue((resource, ns, name), out var stored)
            ? new Reply(200, WithStatus(resource, stored, countRead: true))
            : Status(404, "NotFound", $"{resource} \"{name}\" not found");

    private Reply Delete(string resource, string ns, string name)
    {
        if (!_objects.Remove((resource, ns, name)))
        {
            return Status(404, "NotFound", $"{resource} \"{name}\" not found");
        }

        return Status(200, "", "deleted");
    }

    private Reply Scale(string ns, string name, JsonNode? body)
    {
        if (!_objects.TryGetValue(("deployments", ns, name), out var deployment))
        {
            return Status(404, "NotFound", $"deployments.apps \"{name}\" not found");
        }

        var replicas = (int?)body?["spec"]?["replicas"] ?? 1;
        if ((int?)deployment["spec"]!["replicas"] != replicas)
        {
            deployment["spec"]!["replicas"] = replicas;
            deployment["metadata"]!["generation"] = ((int?)deployment["metadata"]!["generation"] ?? 1) + 1;
        }

        return new Reply(200, new JsonObject
        {
            ["apiVersion"] = "autoscaling/v1",
            ["kind"] = "Scale",
            ["metadata"] = new JsonObject { ["name"] = name, ["namespace"] = ns },
            ["spec"] = new JsonObject { ["replicas"] = replicas },
            ["status"] = new JsonObject { ["replicas"] = replicas },
        });
    }

    private Reply List(string resource, string ns, string? selector)
    {
        var items = resource == "pods"
            ? Pods(ns)
            : _objects.Where(o => o.Key.Resource == resource && o.Key.Namespace == ns).Select(o => WithStatus(resource, o.Value)).ToList();
        var wanted = (selector ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries).Select(s => s.Split('=', 2)).ToList();
        var matching = items.Where(item => wanted.All(w => (string?)item["metadata"]?["labels"]?[w[0]] == w[1]));
        return new Reply(200, new JsonObject
        {
            ["apiVersion"] = resource == "deployments" ? "apps/v1" : "v1",
            ["kind"] = "List",
            ["metadata"] = new JsonObject { ["resourceVersion"] = _version.ToString(System.Globalization.CultureInfo.InvariantCulture) },
            ["items"] = new JsonArray(matching.Select(i => (JsonNode)i.DeepClone()).ToArray()),
        });
    }

    private JsonObject WithStatus(string resource, JsonObject stored, bool countRead = false)
    {
        var copy = stored.DeepClone().AsObject();
        if (resource == "deployments")
        {
            var replicas = (int?)copy["spec"]?["replicas"] ?? 1;
            var ready = CrashLoopRevisions.Contains(Revision(copy)) ? 0 : Math.Max(0, replicas - NotReady.GetValueOrDefault(Revision(copy)));
            if (_createdAt.TryGetValue((string?)copy["metadata"]!["uid"] ?? "", out var created) && DateTime.UtcNow - created < ModelLoad) ready = 0;
            copy["status"] = new JsonObject
            {
                ["observedGeneration"] = copy["metadata"]!["generation"]?.DeepClone(),
                ["replicas"] = replicas,
                ["updatedReplicas"] = replicas,
                ["readyReplicas"] = ready,
                ["availableReplicas"] = ready,
                ["conditions"] = new JsonArray(new JsonObject { ["type"] = "Progressing", ["status"] = "True", ["reason"] = "ReplicaSetUpdated" }),
            };
        }
        else if (resource == "jobs")
        {
            copy["status"] = JobStatus(copy, countRead);
        }

        return copy;
    }

    private JsonObject JobStatus(JsonObject job, bool countRead)
    {
        var state = JobState(job, countRead);
        return state switch
        {
            "Running" => new JsonObject { ["active"] = 1 },
            "Failed" => new JsonObject
            {
                ["failed"] = 1,
                ["conditions"] = new JsonArray(new JsonObject
                {
                    ["type"] = "Failed", ["status"] = "True", ["reason"] = "BackoffLimitExceeded", ["message"] = "Job has reached the specified backoff limit",
                }),
            },
            _ => new JsonObject
            {
                ["succeeded"] = 1,
                ["conditions"] = new JsonArray(new JsonObject { ["type"] = "Complete", ["status"] = "True" }),
            },
        };
    }

    private string JobState(JsonObject job, bool countRead)
    {
        var uid = (string)job["metadata"]!["uid"]!;
        var reads = _jobReads.GetValueOrDefault(uid);
        if (reads < JobReadsBeforeDone)
        {
            if (countRead)
            {
                _jobReads[uid] = reads + 1;
            }

            return "Running";
        }

        if (FailJobs)
        {
            return "Failed";
        }

        if (reads == JobReadsBeforeDone)
        {
            _jobReads[uid] = reads + 1;
            OnJobSucceeded?.Invoke(job);
        }

        return "Succeeded";
    }

    private List<JsonObject> Pods(string ns)
    {
        var pods = new List<JsonObject>();
        foreach (var ((resource, space, name), obj) in _objects.Where(o => o.Key.Namespace == ns).ToList())
        {
            var labels = obj["spec"]?["template"]?["metadata"]?["labels"]?.DeepClone().AsObject() ?? [];
            var spec = obj["spec"]?["template"]?["spec"]?.DeepClone().AsObject() ?? [];
            if (resource == "deployments")
            {
                var revision = Revision(obj);
                var crashing = CrashLoopRevisions.Contains(revision);
                for (var i = 0; i < ((int?)obj["spec"]?["replicas"] ?? 1); i++)
                {
                    var status = crashing ? CrashLooping() : Running(ready: i >= NotReady.GetValueOrDefault(revision), Restarts.GetValueOrDefault(revision));
                    pods.Add(Pod($"{name}-5d8f7c-{i}", ns, labels.DeepClone().AsObject(), spec.DeepClone().AsObject(), status, pods.Count));
                }
            }
            else if (resource == "jobs")
            {
                labels["job-name"] = name;
                var state = JobState(obj, countRead: false);
                pods.Add(Pod($"{name}-x7k2p", ns, labels, spec, state switch
                {
                    "Running" => Running(ready: true, restarts: 0),
                    "Failed" => Terminated("Failed", 1, "Error"),
                    _ => Terminated("Succeeded", 0, "Completed"),
                }, pods.Count));
            }
        }

        return pods;
    }

    private (Reply, string?) Log(string ns, string name, HttpRequest request)
    {
        var pod = Pods(ns).FirstOrDefault(p => (string?)p["metadata"]!["name"] == name);
        if (pod is null)
        {
            return (Status(404, "NotFound", $"pods \"{name}\" not found"), null);
        }

        string[] lines = name.StartsWith("checkpoint-converter", StringComparison.Ordinal)
            ? FailJobs
                ? ["Downloading google/gemma-7b-it-pytorch from Hugging Face", "huggingface_hub.errors.GatedRepoError: 401 Client Error: access to model google/gemma-7b-it-pytorch is restricted"]
                : ["Downloading google/gemma-7b-it-pytorch from Hugging Face", "Converting to jetstream-pytorch (bf16)", "Uploaded model.safetensors and tokenizer.model"]
            : CrashLoopRevisions.Count > 0
                ? ["Loading checkpoint /models/pytorch/gemma-7b-it/final/bf16/model.safetensors", "RuntimeError: TPU initialization failed: no TPU devices found"]
                : ["Started jetstream_server....", "---------Generate params 0 loaded.---------"];
        if (int.TryParse(request.Query["tailLines"], out var tail))
        {
            lines = lines[^Math.Min(tail, lines.Length)..];
        }

        return (new Reply(200, null), string.Join('\n', lines) + "\n");
    }

    private static string Revision(JsonObject obj) => (string?)obj["metadata"]?["labels"]?[RevisionLabel] ?? "";

    private static JsonObject Pod(string name, string ns, JsonObject labels, JsonObject spec, JsonObject status, int index)
    {
        status["podIP"] = $"10.8.0.{10 + index}";
        return new JsonObject
        {
            ["apiVersion"] = "v1",
            ["kind"] = "Pod",
            ["metadata"] = new JsonObject { ["name"] = name, ["namespace"] = ns, ["labels"] = labels, ["creationTimestamp"] = "2026-11-30T08:00:00Z" },
            ["spec"] = spec,
            ["status"] = status,
        };
    }

    /// <summary>The pod's conditions as the kubelet reports them: ready once every container passes its probes.</summary>
    private static JsonArray Conditions(bool ready) => new(
        new JsonObject { ["type"] = "PodScheduled", ["status"] = "True" },
        new JsonObject { ["type"] = "Initialized", ["status"] = "True" },
        new JsonObject { ["type"] = "ContainersReady", ["status"] = ready ? "True" : "False" },
        new JsonObject { ["type"] = "Ready", ["status"] = ready ? "True" : "False" });

    private static JsonObject Running(bool ready, int restarts)
    {
        var server = new JsonObject
        {
            ["name"] = "jetstream-pytorch-server", ["ready"] = true, ["restartCount"] = restarts, ["image"] = "x", ["imageID"] = "x",
            ["state"] = new JsonObject { ["running"] = new JsonObject { ["startedAt"] = "2026-11-30T08:00:00Z" } },
        };
        if (restarts > 0)
        {
            server["lastState"] = new JsonObject { ["terminated"] = new JsonObject { ["exitCode"] = 137, ["reason"] = "OOMKilled" } };
        }

        return new JsonObject
        {
            ["phase"] = "Running",
            ["conditions"] = Conditions(ready),
            ["containerStatuses"] = new JsonArray(server, new JsonObject
            {
                ["name"] = "jetstream-http", ["ready"] = ready, ["restartCount"] = 0, ["image"] = "x", ["imageID"] = "x",
                ["state"] = new JsonObject { ["running"] = new JsonObject { ["startedAt"] = "2026-11-30T08:00:00Z" } },
            }),
        };
    }

    private static JsonObject CrashLooping() => new()
    {
        ["phase"] = "Running",
        ["conditions"] = Conditions(ready: false),
        ["containerStatuses"] = new JsonArray(new JsonObject
        {
            ["name"] = "jetstream-pytorch-server", ["ready"] = false, ["restartCount"] = 4, ["image"] = "x", ["imageID"] = "x",
            ["state"] = new JsonObject { ["waiting"] = new JsonObject { ["reason"] = "CrashLoopBackOff", ["message"] = "back-off 1m20s restarting failed container" } },
            ["lastState"] = new JsonObject { ["terminated"] = new JsonObject { ["exitCode"] = 1, ["reason"] = "Error" } },
        }),
    };

    private static JsonObject Terminated(string phase, int exitCode, string reason) => new()
    {
        ["phase"] = phase,
        ["conditions"] = Conditions(ready: false),
        ["containerStatuses"] = new JsonArray(new JsonObject
        {
            ["name"] = "inference-checkpoint", ["ready"] = false, ["restartCount"] = 0, ["image"] = "x", ["imageID"] = "x",
            ["state"] = new JsonObject { ["terminated"] = new JsonObject { ["exitCode"] = exitCode, ["reason"] = reason } },
        }),
    };
}
