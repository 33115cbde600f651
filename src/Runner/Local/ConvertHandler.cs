using System.Text.Json.Nodes;
using Contracts.Specs;
using Runner.Agent;
using Runner.HuggingFace;
using Runner.Kubernetes;
using Runner.Processes;

namespace Runner.Local;

/// <summary>
/// <c>checkpoint.convert</c>: Hugging Face directory → <c>ARTIFACTS/FAMILY-SIZE-SOURCEHASH/bf16|int8/</c> through
/// <c>engine convert</c>. The directory is the source's (<c>file:///DIR</c>) or, for <c>hf://org/name@revision</c>, the
/// runner's cached download of that revision (<see cref="HubDownload"/>); the source hash is the same for the same files
/// either way. Skipped when that output exists, matches its manifest's checksums and was made from the same
/// source. Converts into a sibling temp directory and renames it into place, so an interrupted conversion never
/// leaves an output that looks complete.
/// </summary>
internal static class ConvertHandler
{
    private const string SourceFile = "source.json";

    public static async Task<StepResult> RunAsync(LocalStep step, HubDownload hub, CancellationToken cancellationToken)
    {
        var model = step.Spec.Model;
        var (sourceDir, sourceHash, error) = await ResolveSourceAsync(step, hub, cancellationToken);
        if (error is not null)
        {
            return StepResult.Failed(error);
        }

        var variant = step.Spec.Engine.QuantizeWeights ? "int8" : "bf16";
        var output = Path.Combine(step.ArtifactsDir, $"{model.Family}-{model.Size}-{sourceHash[..12]}", variant);
        var outputs = new JsonObject
        {
            ["checkpointPath"] = Path.Combine(output, "model.safetensors"),
            ["tokenizerPath"] = Path.Combine(output, "tokenizer.model"),
            ["checkpointDir"] = output,
            ["sourceHash"] = sourceHash,
        };

        foreach (var abandoned in await ConversionOwner.ReapAbandonedAsync(output, cancellationToken))
        {
            step.Log.Write($"stopped and removed the abandoned conversion {abandoned} (its runner is gone)");
        }

        if (await IsCompleteAsync(output, sourceHash, cancellationToken))
        {
            step.Log.Write($"{output} already holds this conversion of {sourceDir} (checksums match): skipped");
            return StepResult.Skipped(outputs);
        }

        var temp = $"{output}.tmp-{Guid.NewGuid():N}";
        Directory.CreateDirectory(temp);
        try
        {
            var exit = await ConvertAsync(step, sourceDir, temp, cancellationToken);
            if (exit != 0)
            {
                return StepResult.Failed($"engine convert exited with code {exit}");
            }

            if (await Checksums.VerifyManifestAsync(temp, cancellationToken) is { } problem)
            {
                return StepResult.Failed($"engine convert wrote an output that fails its own manifest: {problem}");
            }

            await File.WriteAllTextAsync(
                Path.Combine(temp, SourceFile), new JsonObject { ["source"] = sourceDir, ["sourceHash"] = sourceHash }.ToJsonString(), cancellationToken);
            if (Directory.Exists(output))
            {
                Directory.Delete(output, recursive: true);
            }

            Directory.Move(temp, output);
            step.Log.Write($"converted {sourceDir} into {output}");
            return StepResult.Succeeded(outputs);
        }
        finally
        {
            if (Directory.Exists(temp))
            {
                Directory.Delete(temp, recursive: true);
            }

            File.Delete(ConversionOwner.PathFor(temp));
        }
    }

    /// <summary>The Hugging Face layout directory to convert and its content hash, or why there is none.</summary>
    private static async Task<(string Dir, string Hash, string? Error)> ResolveSourceAsync(LocalStep step, HubDownload hub, CancellationToken cancellationToken)
    {
        var source = step.Spec.Model.Source;
        if (HubSource.IsHubSource(source))
        {
            return await DownloadAsync(step, hub, cancellationToken);
        }

        if (!Uri.TryCreate(source, UriKind.Absolute, out var uri) || !uri.IsFile)
        {
            return ("", "", $"model source '{source}' is not supported by the local target: use file:///DIR (a Hugging Face layout directory) or hf://org/name@revision");
        }

        return Directory.Exists(uri.LocalPath)
            ? (uri.LocalPath, await Checksums.DirectorySha256Async(uri.LocalPath, cancellationToken), null)
            : ("", "", $"model source directory {uri.LocalPath} does not exist");
    }

    private static async Task<(string Dir, string Hash, string? Error)> DownloadAsync(LocalStep step, HubDownload hub, CancellationToken cancellationToken)
    {
        if (!HubSource.TryParse(step.Spec.Model.Source, out var source, out var problem))
        {
            return ("", "", $"model source '{step.Spec.Model.Source}': {problem}");
        }

        try
        {
            var token = step.Target.HuggingFaceToken is { Length: > 0 } reference ? await TokenReference.ResolveAsync(reference, "target.local.huggingFaceToken", step.Claim.Secrets, cancellationToken) : null;
            var snapshot = await hub.DownloadAsync(source, token, step.Options.HubCacheDir, step.Log, cancellationToken);
            return (snapshot.Directory, Checksums.ListingSha256(snapshot.Sha256), null);
        }
        catch (Exception e) when (e is HubException or StepFailedException)
        {
            return ("", "", e.Message);
        }
    }

    private static async Task<int> ConvertAsync(LocalStep step, string sourceDir, string temp, CancellationToken cancellationToken)
    {
        string[] args = ["convert", "--in", sourceDir, "--out", temp, "--quantize", step.Spec.Engine.QuantizeWeights ? "int8" : "none"];
        var command = step.EngineCommand(args);
        step.Log.Write($"$ {command}");
        using var child = ChildProcess.Start(command, ConverterProgress.Reporting(step.Log, step.Context.Progress));
        ConversionOwner.ForCurrentRunner(child.Pid)?.Save(temp);
        try
        {
            return await child.WaitForExitAsync(cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            await child.StopAsync(step.Options.ChildStop.ToGraces());
            throw;
        }
    }

    private static async Task<bool> IsCompleteAsync(string output, string sourceHash, CancellationToken cancellationToken)
    {
        var recorded = Path.Combine(output, SourceFile);
        if (!File.Exists(recorded))
        {
            return false;
        }

        var node = JsonNode.Parse(await File.ReadAllTextAsync(recorded, cancellationToken));
        return node?["sourceHash"]?.GetValue<string>() == sourceHash
            && await Checksums.VerifyManifestAsync(output, cancellationToken) is null;
    }
}
