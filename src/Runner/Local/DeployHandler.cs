using System.Globalization;
using System.Text.Json.Nodes;
using Contracts.Protocol;
using Runner.Agent;
using Runner.Processes;

namespace Runner.Local;

/// <summary>
/// <c>engine.deploy</c>: <c>engine.replicas</c> detached <c>engine serve</c> processes for the claim's revision, each
/// recorded under <c>STATE_DIR/ENV/revisions/REV/</c>. A recorded replica that is still alive is adopted, never started
/// twice; a dead one is started again. Succeeds once every replica's <c>/healthcheck</c> answers 200.
/// </summary>
internal static class DeployHandler
{
    public static async Task<StepResult> RunAsync(LocalStep step, EngineProbe probe, CancellationToken cancellationToken)
    {
        var checkpointPath = step.Input("checkpoint.convert", "checkpointPath");
        var tokenizerPath = step.Input("checkpoint.convert", "tokenizerPath");
        var checkpointDir = step.Input("checkpoint.convert", "checkpointDir") ?? Path.GetDirectoryName(checkpointPath);
        if (checkpointPath is null || tokenizerPath is null || checkpointDir is null)
        {
            return StepResult.Failed("no converted checkpoint: the checkpoint.convert step's outputs are missing from the inputs");
        }

        var replicas = Math.Max(1, step.Spec.Engine.Replicas);
        new RevisionInfo(step.Revision, checkpointDir, checkpointPath, tokenizerPath, replicas).Save(step.Layout.RevisionInfoPath(step.Revision));

        var started = new List<(int Index, ProcessRecord Record, LogFollower Log)>();
        for (var index = 0; index < replicas; index++)
        {
            var recordPath = step.Layout.ReplicaRecordPath(step.Revision, index);
            var logPath = step.Layout.ReplicaLogPath(step.Revision, index);
            if (DetachedProcesses.Adoptable(recordPath) is { } live)
            {
                step.Log.Write($"replica {index}: adopted the running engine (pid {live.Pid}, port {live.Port})");
                started.Add((index, live, LogFollower.FromEnd(logPath, $"[replica {index}] ")));
                continue;
            }

            var taken = Replicas.TakenPorts(step.Layout);
            taken.Add(step.Target.FrontPort);
            var port = Ports.FirstFree(step.Target.EngineBasePort, taken);
            var command = ServeCommand(step.Options, step.Spec, port, checkpointPath, tokenizerPath);
            var follower = LogFollower.FromEnd(logPath, $"[replica {index}] ");
            var record = DetachedProcesses.Start(recordPath, command, port, logPath);
            step.Log.Write($"replica {index}: started pid {record.Pid} on port {port}: {command}");
            started.Add((index, record, follower));
        }

        if (await WaitLiveAsync(step, probe, started, cancellationToken) is { } failure)
        {
            return StepResult.Failed(failure);
        }

        return StepResult.Succeeded(new JsonObject
        {
            ["revision"] = step.Revision,
            ["endpoints"] = new JsonArray(started.Select(s => (JsonNode?)JsonValue.Create(Replicas.Url(s.Record))).ToArray()),
        });
    }

    /// <summary>The <c>engine serve</c> command of one replica (the autoscaler starts more replicas with it).</summary>
    public static ProcessCommand ServeCommand(RunnerOptions options, Contracts.Specs.RolloutSpec spec, int port, string checkpointPath, string tokenizerPath)
    {
        var engine = spec.Engine;
        return new ProcessCommand(options.EnginePath,
        [
            "serve",
            "--model_name", spec.Model.Family,
            "--size", spec.Model.Size,
            "--batch_size", engine.BatchSize.ToString(CultureInfo.InvariantCulture),
            "--max_cache_length", engine.MaxCacheLength.ToString(CultureInfo.InvariantCulture),
            $"--quantize_weights={(engine.QuantizeWeights ? "True" : "False")}",
            $"--quantize_kv_cache={(engine.QuantizeKvCache ? "True" : "False")}",
            "--tokenizer_path", tokenizerPath,
            "--checkpoint_path", checkpointPath,
            "--port", port.ToString(CultureInfo.InvariantCulture),
            "--host", "127.0.0.1",
        ]);
    }

    /// <summary>Polls every replica's healthcheck, shipping its new log lines meanwhile; a replica that exits fails the
    /// step with its last lines (returned). The step's timeout (from the claim) bounds the wait.</summary>
    private static async Task<string?> WaitLiveAsync(
        LocalStep step, EngineProbe probe, List<(int Index, ProcessRecord Record, LogFollower Log)> replicas, CancellationToken cancellationToken)
    {
        var pending = replicas.ToList();
        while (pending.Count > 0)
        {
            var ready = replicas.Count - pending.Count;
            step.Context.Progress.Report(ready, replicas.Count, StepProgressUnits.Replicas, $"{ready}/{replicas.Count} replicas live");
            foreach (var replica in pending.ToList())
            {
                foreach (var line in replica.Log.ReadNewLines())
                {
                    step.Log.Write(line);
                }

                if (!replica.Record.IsAlive)
                {
                    var tail = DetachedProcesses.Tail(replica.Record.LogPath, 20);
                    foreach (var line in tail)
                    {
                        step.Log.Write($"[replica {replica.Index}] {line}");
                    }

                    return $"engine replica {replica.Index} (pid {replica.Record.Pid}) exited before it was live; last lines: {string.Join(" | ", tail.TakeLast(5))}";
                }

                if (await probe.IsLiveAsync(Replicas.Url(replica.Record), cancellationToken))
                {
                    step.Log.Write($"replica {replica.Index}: live on {Replicas.Url(replica.Record)}");
                    pending.Remove(replica);
                }
            }

            if (pending.Count > 0)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(500), step.Time, cancellationToken);
            }
        }

        step.Context.Progress.Report(replicas.Count, replicas.Count, StepProgressUnits.Replicas, $"{replicas.Count}/{replicas.Count} replicas live");
        return null;
    }
}
