namespace Runner.Tests.HuggingFace;

/// <summary>One request the fake Hub or its CDN received, as the tests check it.</summary>
internal sealed record FakeHubRequest(string Host, string Path, string? Authorization, string? Range, int Status);
