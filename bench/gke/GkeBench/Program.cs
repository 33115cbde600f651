using System.Diagnostics;
using System.Text.Json.Nodes;
using CloudTargets.Tests.Infrastructure;
using Contracts;

// A whole Standard gke rollout (10 steps) through the real runner providers against the in-process fakes, with
// long-running operations completing at the first poll: what the product itself adds to the cloud's own minutes.
if (args is ["throughput", ..])
{
    await GkeBench.Throughput.RunAsync(args.Length > 1 && int.TryParse(args[1], out var r) ? r : 3);
    return;
}

var iterations = args.Length > 0 && int.TryParse(args[0], out var n) ? n : 5;
(string Kind, JsonObject? Parameters)[] plan =
[
    (StepKinds.ClusterEnsure, null), (StepKinds.NodePoolEnsure, null), (StepKinds.BucketEnsure, null),
    (StepKinds.IdentityEnsure, null), (StepKinds.SecretEnsure, null), (StepKinds.CheckpointConvert, null),
    (StepKinds.EngineDeploy, null), (StepKinds.TrafficShift, new JsonObject { ["weight"] = 100 }),
    (StepKinds.RevisionPromote, null), (StepKinds.Cleanup, new JsonObject { ["keepRevisions"] = 1 }),
];
Console.WriteLine($"machine: {Environment.ProcessorCount} cores, load average {LoadAverage()}, .NET {Environment.Version}, {System.Runtime.InteropServices.RuntimeInformation.OSDescription}");
Console.WriteLine($"gke rollout against the fakes, operations DONE at the first poll, poll interval 10 ms, {iterations} runs (the first warms up)");
var totals = new List<double>();
for (var run = 0; run < iterations; run++)
{
    await using var h = await CloudHarness.StartAsync();
    h.Google.OperationPolls = 0;
    h.Kube.JobReadsBeforeDone = 0;
    var spec = Specs.Gke(h.TokenFile);
    var state = new JsonObject();
    var watch = Stopwatch.StartNew();
    var rows = new List<string>();
    foreach (var (kind, parameters) in plan)
    {
        var (google, kube) = (h.Google.Calls.Count, h.Kube.Calls.Count);
        var step = Stopwatch.StartNew();
        var (result, _) = await h.RunAsync(spec, kind, "r1", parameters, state.DeepClone().AsObject());
        if (result.Outcome is not (StepStatuses.Succeeded or StepStatuses.Skipped))
        {
            throw new InvalidOperationException($"{kind}: {result.Error}");
        }

        foreach (var (key, value) in result.Outputs?["environment"] as JsonObject ?? [])
        {
            state[key] = value?.DeepClone();
        }

        rows.Add($"  {kind,-20} {step.Elapsed.TotalMilliseconds,8:0.0} ms  google {h.Google.Calls.Count - google,3}  kubernetes {h.Kube.Calls.Count - kube,3}");
    }

    totals.Add(watch.Elapsed.TotalMilliseconds);
    Console.WriteLine($"run {run + 1}: {watch.Elapsed.TotalMilliseconds:0} ms, {h.Google.Calls.Count} Google calls (incl. token), {h.Kube.Calls.Count} Kubernetes calls");
    if (run == iterations - 1)
    {
        rows.ForEach(Console.WriteLine);
    }
}

var warm = totals.Skip(1).DefaultIfEmpty(totals[0]).ToList();
Console.WriteLine($"warm runs: median {warm.Order().ElementAt(warm.Count / 2):0} ms, min {warm.Min():0} ms, max {warm.Max():0} ms (target < 2000 ms)");

// The same rollout through the whole product: orchestrator (in-process, real PostgreSQL), runner agent, fakes.
var db = Environment.GetEnvironmentVariable("ORCHESTRATOR_TEST_DB");
if (string.IsNullOrEmpty(db))
{
    Console.WriteLine("with the orchestrator: skipped (set ORCHESTRATOR_TEST_DB to a PostgreSQL superuser connection string; bench/gke/run.sh starts one)");
    return;
}

Console.WriteLine($"with the orchestrator: POST /api/rollouts → run succeeded, orchestrator host + runner agent + fakes in one process, {iterations} runs (the first warms up)");
var whole = new List<double>();
for (var run = 0; run < iterations; run++)
{
    var (ms, result, googleCalls, kubeCalls) = await GkeBench.WithOrchestrator.RunOnceAsync(db);
    whole.Add(ms);
    var steps = result["steps"]?.AsArray() ?? [];
    Console.WriteLine($"run {run + 1}: {ms:0} ms, {steps.Count} steps, {googleCalls} Google calls (incl. token), {kubeCalls} Kubernetes calls");
    if (run == iterations - 1)
    {
        foreach (var step in steps.OfType<JsonObject>())
        {
            var started = (DateTimeOffset?)step["startedAt"];
            var finished = (DateTimeOffset?)step["finishedAt"];
            var took = started is { } a && finished is { } b ? $"{(b - a).TotalMilliseconds,8:0.0} ms" : "       -   ";
            Console.WriteLine($"  {(string?)step["name"],-20} {(string?)step["status"],-10} {took}");
        }
    }
}

var warmWhole = whole.Skip(1).DefaultIfEmpty(whole[0]).ToList();
Console.WriteLine($"with the orchestrator, warm runs: median {warmWhole.Order().ElementAt(warmWhole.Count / 2):0} ms, min {warmWhole.Min():0} ms, max {warmWhole.Max():0} ms (target < 2000 ms)");

// Cold start from nothing: the cloud's minutes scaled down 100×, conversion on the runner beside the cluster.
Console.WriteLine();
Console.WriteLine("cold start from nothing, whole product, cloud times scaled down 100x (cluster 3.6 s, node pool 2.4 s, model load 1.8 s), " +
    $"conversion of a tiny Llama on the runner (4 slots), {iterations} runs (the first warms up)");
var ratios = new List<(double Wall, double Critical, double Sum)>();
for (var run = 0; run < iterations; run++)
{
    var (ms, result, _, _) = await GkeBench.WithOrchestrator.RunOnceAsync(db, coldStart: true);
    var steps = (result["steps"]?.AsArray() ?? []).OfType<JsonObject>()
        .Where(s => s["startedAt"] is not null && s["finishedAt"] is not null)
        .ToDictionary(s => (string)s["name"]!);
    double Took(JsonObject s) => ((DateTimeOffset)s["finishedAt"]! - (DateTimeOffset)s["startedAt"]!).TotalMilliseconds;
    var finish = new Dictionary<string, double>();
    double Finish(string name) => finish.TryGetValue(name, out var f) ? f : finish[name] = Took(steps[name])
        + (steps[name]["dependsOn"]?.AsArray() ?? []).Select(d => (string)d!).Where(steps.ContainsKey).Select(Finish).DefaultIfEmpty(0).Max();
    var critical = steps.Keys.Max(Finish);
    var sum = steps.Values.Sum(Took);
    ratios.Add((ms, critical, sum));
    Console.WriteLine($"run {run + 1}: wall {ms:0} ms, critical path {critical:0} ms, sequential sum {sum:0} ms: {ms / critical:0.00}x the critical path, {ms / sum:0.00}x the sum");
    if (run == iterations - 1)
    {
        var first = steps.Values.Min(s => (DateTimeOffset)s["startedAt"]!);
        foreach (var s in steps.Values.OrderBy(s => (DateTimeOffset)s["startedAt"]!))
            Console.WriteLine($"  {(string?)s["name"],-20} {((DateTimeOffset)s["startedAt"]! - first).TotalMilliseconds,7:0} → {((DateTimeOffset)s["finishedAt"]! - first).TotalMilliseconds,7:0} ms");
    }
}

var warmCold = ratios.Skip(1).DefaultIfEmpty(ratios[0]).Select(r => r.Wall / r.Critical).Order().ToList();
Console.WriteLine($"cold start, warm runs: wall / critical path median {warmCold[warmCold.Count / 2]:0.00}x (max {warmCold.Max():0.00}x; target <= 1.1x)");

static string LoadAverage() => File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Split(' ')[0] : "n/a";
