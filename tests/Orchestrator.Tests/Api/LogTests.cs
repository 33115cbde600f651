using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Orchestrator.Tests.Infrastructure;

namespace Orchestrator.Tests.Api;

public sealed class LogTests
{
    [Fact]
    public async Task LogLine_WithANul_IsStoredWithoutIt_NotRefused()
    {
        await using var h = await Harness.StartAsync();
        using var runner = await h.RunnerAsync();
        var run = await h.User.ApplyAsync(Specs.Local());
        var claim = await runner.ClaimRequiredAsync();

        using var response = await runner.LogAsync(claim, "a\0b");
        var lines = await h.User.Http.GetFromJsonAsync<JsonArray>($"/api/runs/{run.Id}/logs");

        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
        Assert.Equal("ab", lines!.Single()!["text"]!.GetValue<string>());
    }

    [Fact]
    public async Task Logs_AreStoredOnceInOrder_AndFollowEndsWhenTheRunEnds()
    {
        await using var h = await Harness.StartAsync();
        using var runner = await h.RunnerAsync();
        var run = await h.User.ApplyAsync(Specs.Local());
        var claim = await runner.ClaimRequiredAsync();
        (await runner.LogAsync(claim, "one", "two")).Dispose();
        (await runner.LogAsync(claim, "one", "two")).Dispose(); // a resent batch is not stored twice

        using var stream = await h.User.Http.SendAsync(
            new HttpRequestMessage(HttpMethod.Get, $"/api/runs/{run.Id}/logs?follow=true"), HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal("text/event-stream", stream.Content.Headers.ContentType?.MediaType);
        using var reader = new StreamReader(await stream.Content.ReadAsStreamAsync());
        var events = new List<string>();
        async Task<string> NextDataAsync()
        {
            while (await reader.ReadLineAsync() is { } line)
            {
                events.Add(line);
                if (line.StartsWith("data: ", StringComparison.Ordinal)) return line[6..];
            }
            throw new Xunit.Sdk.XunitException("stream ended early: " + string.Join("\n", events));
        }

        Assert.Equal("one", JsonNode.Parse(await NextDataAsync())!["text"]!.GetValue<string>());
        Assert.Equal("two", JsonNode.Parse(await NextDataAsync())!["text"]!.GetValue<string>());
        using (var more = await runner.Http.PostAsJsonAsync($"/api/steps/{claim.StepId}/logs",
            new Contracts.Protocol.AppendLogsRequest(claim.LeaseToken, [new(3, DateTimeOffset.UtcNow, "three")]), Contracts.ContractJson.Options))
            Assert.Equal(HttpStatusCode.NoContent, more.StatusCode);
        var third = JsonNode.Parse(await NextDataAsync())!;
        Assert.Equal("three", third["text"]!.GetValue<string>());
        Assert.Equal("checkpoint.convert", third["stepName"]!.GetValue<string>());

        await h.User.PostAsync($"/api/runs/{run.Id}/cancel");
        (await runner.CompleteAsync(claim, Contracts.StepStatuses.Cancelled)).Dispose();
        await NextDataAsync();
        Assert.Contains("event: end", events);
        Assert.Contains(events, e => e.StartsWith("id: ", StringComparison.Ordinal));

        var all = await h.User.Http.GetFromJsonAsync<JsonArray>($"/api/runs/{run.Id}/logs");
        Assert.Equal(["one", "two", "three"], all!.Select(l => l!["text"]!.GetValue<string>()));
        var firstId = all![0]!["id"]!.GetValue<long>();
        var after = await h.User.Http.GetFromJsonAsync<JsonArray>($"/api/steps/{claim.StepId}/logs?after={firstId}");
        Assert.Equal(["two", "three"], after!.Select(l => l!["text"]!.GetValue<string>()));
        using var missing = await h.User.Http.GetAsync($"/api/runs/{Guid.NewGuid()}/logs");
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
    }
}
