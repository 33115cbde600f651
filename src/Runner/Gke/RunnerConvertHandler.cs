using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using CloudTargets.Kubernetes;
using Google.Cloud.Storage.V1;
using Contracts.Specs;
using Runner.Agent;
using Runner.Local;
using Runner.HuggingFace;
using Runner.Kubernetes;
using Runner.Processes;

namespace Runner.Gke;

/// <summary>
/// <c>checkpoint.convert</c> with <c>target.gke.conversion: runner</c>: this runner converts the Hugging Face checkpoint
/// with our engine's converter, in JetStream-PyTorch's layout, and uploads it to
/// <c>gs://BUCKET/pytorch/MODEL/final/bf16|int8/</c> through resumable uploads; then records the marker with the
/// objects' checksums. Needs only the bucket, so it runs while the cluster and node pool are being created. Skipped when
/// the bucket already holds this conversion (same marker check as the converter Job's).
/// </summary>
internal sealed class RunnerConvertHandler(StorageClients storage, ICheckpointStore store, HubDownload hub, RunnerOptions runner, GcpOptions options)
{
    public async Task<StepResult> RunAsync(GkeStep step, CancellationToken cancellationToken)
    {
        var model = new ModelLayout(step.Spec);
        var bucket = step.Target.Bucket;
        var outputs = new JsonObject { ["checkpoint"] = $"gs://{bucket}/{model.ObjectPrefix}", ["convertedBy"] = "runner" };
        if (await store.StaleReasonAsync(bucket, model, cancellationToken) is not { } stale)
        {
            step.Log.Write($"gs://{bucket}/{model.ObjectPrefix} already holds the converted checkpoint (checksums match {model.MarkerObject}): nothing to convert");
            return StepResult.Skipped(outputs);
        }

        step.Log.Write($"converting on this runner into gs://{bucket}/{model.ObjectPrefix}: {stale}");
        var source = await ResolveSourceAsync(step, cancellationToken);
        var work = Path.Combine(runner.WorkDir, "gke-convert", $"{step.Claim.Environment}-{step.Claim.Revision}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(work);
        try
        {
            var converted = Path.Combine(work, "out");
            var client = await storage.GetAsync(cancellationToken);
            // The weights go up while the converter writes them; the object exists only once the converter succeeded
            // and the whole file was sent.
            using var weights = new GrowingFileStream(Path.Combine(converted, "model.safetensors"));
            using var abandon = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            var upload = UploadAsync(step, client, bucket, model.CheckpointObject, weights, abandon.Token);
            int exit;
            try
            {
                exit = await ConvertAsync(step, source, converted, cancellationToken);
            }
            catch
            {
                weights.Fail("the conversion was stopped");
                await abandon.CancelAsync();
                await AbandonedAsync(upload);
                throw;
            }

            if (exit != 0)
            {
                weights.Fail($"exit code {exit}");
                await AbandonedAsync(upload);
                return StepResult.Failed($"engine convert exited with code {exit}");
            }

            weights.Finish();
            await upload;
            await using (var tokenizer = File.OpenRead(Path.Combine(converted, "tokenizer.model")))
                await UploadAsync(step, client, bucket, model.TokenizerObject, tokenizer, cancellationToken);
            await store.RecordAsync(bucket, model, cancellationToken);
            step.Log.Write($"recorded the converted objects' checksums in gs://{bucket}/{model.MarkerObject}");
            return StepResult.Succeeded(outputs);
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }

    // The abandoned upload ends with the failure its stream gave it (or an earlier one of its own): nothing was
    // created, and the step fails for the conversion's reason, not the upload's.
    private static async Task AbandonedAsync(Task upload)
    {
        try
        {
            await upload;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
        }
    }

    // hf://: straight from the Hub into this runner's cache (a second rollout of the revision downloads nothing);
    // file:///DIR: a Hugging Face layout directory on this runner.
    private async Task<string> ResolveSourceAsync(GkeStep step, CancellationToken cancellationToken)
    {
        var source = step.Spec.Model.Source;
        if (HubSource.IsHubSource(source))
        {
            if (!HubSource.TryParse(source, out var hubSource, out var problem)) throw new StepFailedException($"model source '{source}': {problem}");
            var reference = step.Spec.Target.Gke?.HuggingFaceToken;
            var token = reference is { Length: > 0 } ? await TokenReference.ResolveAsync(reference, "target.gke.huggingFaceToken", step.Claim.Secrets, cancellationToken) : null;
            try
            {
                return (await hub.DownloadAsync(hubSource, token, runner.HubCacheDir, step.Log, cancellationToken)).Directory;
            }
            catch (HubException e)
            {
                throw new StepFailedException(e.Message);
            }
        }

        if (Uri.TryCreate(source, UriKind.Absolute, out var uri) && uri.IsFile)
        {
            return Directory.Exists(uri.LocalPath)
                ? uri.LocalPath
                : throw new StepFailedException($"model source directory {uri.LocalPath} does not exist on this runner");
        }

        throw new StepFailedException($"model source '{source}' cannot be converted on the runner: use file:///DIR or hf://org/name[@revision]");
    }

    private async Task<int> ConvertAsync(GkeStep step, string source, string output, CancellationToken cancellationToken)
    {
        string[] args = ["convert", "--in", source, "--out", output, "--quantize", step.Spec.Engine.QuantizeWeights ? "int8" : "none",
            "--layout", "jetstream-pytorch"];
        var command = new ProcessCommand(runner.EnginePath, args);
        step.Log.Write($"$ {command}");
        using var child = ChildProcess.Start(command, ConverterProgress.Reporting(step.Log, step.Context.Progress));
        try
        {
            return await child.WaitForExitAsync(cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            await child.StopAsync(runner.ChildStop.ToGraces());
            throw;
        }
    }

    // The objects the converter Job writes: the weights and the tokenizer. Each goes up in resumable chunks, so a
    // dropped connection resends a chunk, not the checkpoint.
    private async Task UploadAsync(GkeStep step, StorageClient client, string bucket, string objectName, Stream content, CancellationToken cancellationToken)
    {
        var watch = Stopwatch.StartNew();
        var lastReport = TimeSpan.Zero;
        var progress = new Progress<Google.Apis.Upload.IUploadProgress>(p =>
        {
            if (watch.Elapsed - lastReport < TimeSpan.FromSeconds(5)) return;
            lastReport = watch.Elapsed;
            step.Log.Write(string.Create(CultureInfo.InvariantCulture, $"uploading gs://{bucket}/{objectName}: {p.BytesSent:N0} bytes sent"));
        });
        var uploaded = await client.UploadObjectAsync(bucket, objectName, "application/octet-stream", content,
            new UploadObjectOptions { ChunkSize = options.UploadChunkBytes }, cancellationToken, progress);
        var size = (long)(uploaded.Size ?? 0);
        step.Log.Write(string.Create(CultureInfo.InvariantCulture,
            $"uploaded gs://{bucket}/{objectName} ({size:N0} bytes in {watch.Elapsed.TotalSeconds:0.0} s, {size / 1e6 / Math.Max(0.001, watch.Elapsed.TotalSeconds):0} MB/s)"));
    }
}
