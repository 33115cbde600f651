using System.Text.Json.Nodes;

namespace CloudTargets.Tests.Fakes;

/// <summary>One request a fake received, as received (path with query, parsed body).</summary>
internal sealed record RecordedCall(string Method, string Path, JsonNode? Body, int Status);
