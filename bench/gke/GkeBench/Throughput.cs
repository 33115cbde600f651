using System.Diagnostics;
using System.Text.Json.Nodes;
using CloudTargets.Kubernetes;
using CloudTargets.Tests.Infrastructure;
using Contracts;
using Contracts.Specs;
using Google.Cloud.Storage.V1;
using Runner.Gke;
using Runner.Tests.HuggingFace;

namespace GkeBench;

/// <summary>
/// <c>checkpoint.convert</c> on the runner from Hugging Face to the bucket (download, our converter in JetStream-PyTorch's
/// layout, resumable upload) against a plain copy of the same files between the same endpoints (the fake Hub and its CDN
/// on loopback, the fake Cloud Storage): each file streamed from <c>resolve</c> into a resumable upload, same chunks.
/// The figure is the conversion's throughput as a fraction of the copy's. The model is the engine's <c>small</c> test
/// model unless <c>BENCH_MODEL_DIR</c> names a Hugging Face Llama directory.
/// </summary>
internal static class Throughput
{
    public static async Task RunAsync(int rounds)
    {
        var scratch = Directory.CreateTempSubdirectory("gkebench-throughput-").FullName;
        try
        {
            var modelDir = Environment.GetEnvironmentVariable("BENCH_MODEL_DIR") is { Length: > 0 } given ? given : await MakeSmallAsync(scratch);
            var bytes = Directory.EnumerateFiles(modelDir).Sum(f => new FileInfo(f).Length);
            await using var hub = await FakeHub.StartAsync();
            hub.Add(FakeHubRepo.FromDirectory("bench/model", modelDir));
            Console.WriteLine($"checkpoint: {modelDir}, {bytes / 1e6:0} MB in {Directory.EnumerateFiles(modelDir).Count()} files; upload chunks 8 MiB; {rounds} rounds");
            var copies = new List<double>();
            var conversions = new List<double>();
            for (var round = 0; round < rounds; round++)
            {
                copies.Add(await CopyAsync(hub, modelDir));
                conversions.Add(await ConvertAsync(hub));
                Console.WriteLine($"round {round + 1}: plain copy {copies[^1]:0.0} s ({bytes / 1e6 / copies[^1]:0} MB/s), " +
                    $"download + convert + upload {conversions[^1]:0.0} s ({bytes / 1e6 / conversions[^1]:0} MB/s): {copies[^1] / conversions[^1]:P0} of the copy's throughput");
            }

            var copy = copies.Order().ElementAt(copies.Count / 2);
            var conversion = conversions.Order().ElementAt(conversions.Count / 2);
            Console.WriteLine($"median: conversion {bytes / 1e6 / conversion:0} MB/s against a plain copy's {bytes / 1e6 / copy:0} MB/s: {copy / conversion:P0} (target >= 70 %)");
        }
        finally
        {
            Directory.Delete(scratch, recursive: true);
        }
    }

    private static async Task<string> MakeSmallAsync(string scratch)
    {
        var dir = Path.Combine(scratch, "small");
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[] { EnginePaths.EngineDll, "make-test-model", "--family", "llama-3", "--size", "small", "--out", dir }) info.ArgumentList.Add(a);
        using var process = Process.Start(info)!;
        await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0) throw new InvalidOperationException("engine make-test-model failed: " + await process.StandardError.ReadToEndAsync());
        return dir;
    }

    private static async Task<double> CopyAsync(FakeHub hub, string modelDir)
    {
        await using var h = await CloudHarness.StartAsync(hubEndpoint: hub.HubUrl);
        var spec = Spec(h);
        await h.StepAsync(spec, StepKinds.BucketEnsure, "r1", null, new JsonObject());
        var client = await h.Get<StorageClients>().GetAsync(CancellationToken.None);
        using var http = new HttpClient();
        var watch = Stopwatch.StartNew();
        foreach (var file in Directory.EnumerateFiles(modelDir).Select(Path.GetFileName))
        {
            using var response = await http.GetAsync(new Uri(hub.HubUrl, $"bench/model/resolve/main/{file}"), HttpCompletionOption.ResponseHeadersRead);
            response.EnsureSuccessStatusCode();
            await using var body = await response.Content.ReadAsStreamAsync();
            await client.UploadObjectAsync(Specs.Bucket, $"copy/{file}", "application/octet-stream", body, new UploadObjectOptions { ChunkSize = 8 << 20 });
        }

        return watch.Elapsed.TotalSeconds;
    }

    private static async Task<double> ConvertAsync(FakeHub hub)
    {
        await using var h = await CloudHarness.StartAsync(hubEndpoint: hub.HubUrl, uploadChunkBytes: 8 << 20);
        var spec = Spec(h);
        await h.StepAsync(spec, StepKinds.BucketEnsure, "r1", null, new JsonObject());
        var watch = Stopwatch.StartNew();
        var (result, log) = await h.RunAsync(spec, StepKinds.CheckpointConvert);
        var seconds = watch.Elapsed.TotalSeconds;
        if (result.Outcome != StepStatuses.Succeeded) throw new InvalidOperationException($"convert: {result.Error}\n{log.Text}");
        if (h.Google.ObjectBytes(Specs.Bucket, new ModelLayout(spec).CheckpointObject) is null) throw new InvalidOperationException("nothing reached the bucket");
        if (Environment.GetEnvironmentVariable("BENCH_VERBOSE") == "1")
            foreach (var (at, line) in log.Timed) Console.WriteLine($"    {at.TotalSeconds,6:0.00} s  {line}");
        return seconds;
    }

    private static RolloutSpec Spec(CloudHarness h) => Specs.Gke(h.TokenFile, change: g => g with { Conversion = GkeConversions.Runner }) with
    {
        Model = new ModelSpec { Family = "llama-3", Size = "small", Source = "hf://bench/model@main" },
    };
}
