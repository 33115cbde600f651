using System.Net;
using Orchestrator.Tests.Infrastructure;

namespace Orchestrator.Tests.Limits;

public sealed class FollowerLimitTests
{
    [Fact]
    public async Task Follower_PastTheLimit_Is429_AndASlotFreesWhenAFollowerLeaves()
    {
        await using var h = await Harness.StartAsync("--Limits:Followers:MaxConcurrent", "1");
        var run = await h.User.ApplyAsync(Specs.Local());
        var follow = $"/api/runs/{run.Id}/logs?follow=true";

        var first = await h.User.Http.SendAsync(new HttpRequestMessage(HttpMethod.Get, follow), HttpCompletionOption.ResponseHeadersRead);
        using var second = await h.User.Http.GetAsync(follow);
        using var plainRead = await h.User.Http.GetAsync($"/api/runs/{run.Id}/logs");

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        var detail = await LimitProblemAssert.ProblemAsync(second, HttpStatusCode.TooManyRequests);
        Assert.Contains("Limits:Followers:MaxConcurrent", detail, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, plainRead.StatusCode);

        first.Dispose();
        await Eventually.TrueAsync(async () =>
        {
            using var again = await h.User.Http.SendAsync(new HttpRequestMessage(HttpMethod.Get, follow), HttpCompletionOption.ResponseHeadersRead);
            return again.StatusCode == HttpStatusCode.OK;
        }, "a follower slot to free", TimeSpan.FromSeconds(10));
    }
}
