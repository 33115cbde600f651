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
}
