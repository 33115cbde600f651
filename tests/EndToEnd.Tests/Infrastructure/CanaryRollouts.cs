using System.Globalization;
using System.Text.Json.Nodes;

namespace EndToEnd.Tests.Infrastructure;

/// <summary>Rollouts of test models to the <c>local</c> environment for the canary tests: written as YAML, applied
/// through the real CLI and awaited to the end of their run.</summary>
internal static class CanaryRollouts
{
    public static readonly TimeSpan RunTimeout = TimeSpan.FromMinutes(4);

    /// <summary>Writes a rollout of a Llama-3-shaped test model; <paramref name="strategy"/> is YAML from column 0
    /// (<c>strategy: …</c>) or empty for a plain deploy.</summary>
    public static string Write(TestStack stack, string modelDir, int frontPort, int enginePorts, string strategy = "",
        string size = "tiny", bool quantizeWeights = false)
    {
        var path = Path.Combine(stack.Dir, $"rollout-{Guid.NewGuid():N}.yaml");
        File.WriteAllText(path, $"""
            environment: local
            model:
              family: llama-3
              size: {size}
              source: file://{modelDir}
            engine:
              batchSize: 8
              maxCacheLength: 256
              quantizeWeights: {(quantizeWeights ? "true" : "false")}
              replicas: 1
            target:
              kind: local
              local:
                frontPort: {frontPort}
                engineBasePort: {enginePorts}
                artifactsDir: {stack.ArtifactsDir}
            {strategy}
            """);
        return path;
    }

    public static async Task<JsonNode> ApplyAsync(TestStack stack, string spec)
    {
        var apply = await stack.CliAsync("apply", "-f", spec, "--json");
        Assert.True(apply.ExitCode == 0, apply + stack.Diagnostics());
        return await stack.WaitForRunAsync((string)JsonNode.Parse(apply.Stdout)!["id"]!, Runs.IsFinal, RunTimeout, "canary rollout");
    }

    /// <summary>Another Llama-3-shaped model, made by the real engine under the stack's directory.</summary>
    public static async Task<string> MakeModelAsync(TestStack stack, string name, string size, int seed)
    {
        var dir = Path.Combine(stack.Dir, name);
        var made = await Commands.RunAsync("dotnet",
            [RepoPaths.EngineDll, "make-test-model", "--family", "llama-3", "--size", size, "--seed", seed.ToString(CultureInfo.InvariantCulture), "--out", dir],
            new Dictionary<string, string?>(), TimeSpan.FromMinutes(3));
        Assert.True(made.ExitCode == 0, made.ToString());
        return dir;
    }

    public static async Task<JsonNode> EnvironmentAsync(TestStack stack) =>
        JsonNode.Parse(await stack.Api.GetStringAsync("api/environments/local"))!;

    /// <summary>Every <c>canary.analyze</c> step of the run (named <c>canary.analyze</c>, <c>canary.analyze-2</c> …), in
    /// plan order.</summary>
    public static IReadOnlyList<JsonNode> Analyses(JsonNode run) =>
        run["steps"]!.AsArray().Where(s => (string?)s!["kind"] == "canary.analyze").Select(s => s!).ToList();

    /// <summary>The measurements of one metric across the run's analyses: phase, value and detail.</summary>
    public static IReadOnlyList<JsonNode> Measurements(JsonNode run, string metric) =>
        Analyses(run)
            .SelectMany(a => a["outputs"]?["analysis"]?["metrics"]?.AsArray() ?? [])
            .Where(m => (string?)m!["name"] == metric)
            .SelectMany(m => m!["measurements"]!.AsArray())
            .Select(m => m!)
            .ToList();
}
