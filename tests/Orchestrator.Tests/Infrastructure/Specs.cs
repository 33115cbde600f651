using System.Text.Json.Nodes;

namespace Orchestrator.Tests.Infrastructure;

public static class Specs
{
    public static JsonObject Local(string environment = "local") => new()
    {
        ["environment"] = environment,
        ["model"] = new JsonObject { ["family"] = "llama-3", ["size"] = "tiny", ["source"] = "file:///tmp/model" },
        ["engine"] = new JsonObject { ["replicas"] = 1, ["batchSize"] = 4 },
    };

    /// <summary>A gke spec that passes the validator and the cloud preflight; <paramref name="teardownAfter"/> null: no TTL.</summary>
    public static JsonObject Gke(
        string environment, string mode = "standard", string region = "us-west4", string machineType = "ct5lp-hightpu-8t",
        string topology = "2x4", int nodes = 2, int replicas = 2, string? teardownAfter = "72h")
    {
        var cleanup = new JsonObject { ["keepRevisions"] = 1 };
        if (teardownAfter is not null) cleanup["teardownAfter"] = teardownAfter;
        return new JsonObject
        {
            ["environment"] = environment,
            ["model"] = new JsonObject { ["family"] = "gemma", ["size"] = "7b", ["source"] = "hf://google/gemma-7b-it-pytorch" },
            ["engine"] = new JsonObject { ["replicas"] = replicas },
            ["target"] = new JsonObject
            {
                ["kind"] = "gke",
                ["gke"] = new JsonObject
                {
                    ["project"] = "my-project", ["region"] = region, ["location"] = $"{region}-a", ["cluster"] = "serving", ["mode"] = mode,
                    ["tpu"] = new JsonObject { ["machineType"] = machineType, ["topology"] = topology, ["nodes"] = nodes },
                },
            },
            ["cleanup"] = cleanup,
        };
    }
}
