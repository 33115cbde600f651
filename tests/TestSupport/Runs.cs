using System.Text.Json.Nodes;

namespace TestSupport;

/// <summary>Reading the API's run JSON in assertions.</summary>
public static class Runs
{
    public static string Status(JsonNode run) => (string?)run["status"] ?? "";

    public static bool IsFinal(JsonNode run) => Contracts.RunStatuses.IsFinal(Status(run));

    public static JsonNode Step(JsonNode run, string name) =>
        run["steps"]!.AsArray().FirstOrDefault(s => (string?)s!["name"] == name)
        ?? throw new InvalidOperationException($"run has no step {name}: {run.ToJsonString()}");

    public static string StepStatus(JsonNode run, string name) => (string?)Step(run, name)["status"] ?? "";

    public static int Attempt(JsonNode run, string name) => (int?)Step(run, name)["attempt"] ?? 0;
}
