using System.Net;
using Microsoft.AspNetCore.Http;
using Orchestrator.Auth;
using Orchestrator.Dashboard.Auth;
using Orchestrator.Limits;
using Orchestrator.Tests.Infrastructure;

namespace Orchestrator.Tests.Limits;

public sealed class RateLimitTests
{
    private static readonly string[] ThreePerMinute =
    [
        "--Limits:Rates:Users:PermitLimit", "3", "--Limits:Rates:Users:Window", "00:01:00",
        "--Limits:Rates:Anonymous:PermitLimit", "3", "--Limits:Rates:Anonymous:Window", "00:01:00",
    ];

    [Fact]
    public async Task UserToken_PastItsWindow_Is429WithRetryAfter_AndOtherTokensAreNotCounted()
    {
        await using var h = await Harness.StartAsync(ThreePerMinute);
        using var other = h.Server.Client(await h.Server.CreateTokenAsync(TokenKinds.User, "other"));

        for (var i = 0; i < 3; i++)
        {
            using var allowed = await h.User.Http.GetAsync("/api/environments");
            Assert.Equal(HttpStatusCode.OK, allowed.StatusCode);
        }
        using var refused = await h.User.Http.GetAsync("/api/environments");
        using var otherToken = await other.GetAsync("/api/environments");

        await LimitProblemAssert.ProblemAsync(refused, HttpStatusCode.TooManyRequests);
        Assert.True(refused.Headers.RetryAfter?.Delta > TimeSpan.Zero, "Retry-After is missing");
        Assert.Equal(HttpStatusCode.OK, otherToken.StatusCode);
    }

    [Fact]
    public async Task AnonymousRequests_ArePartitionedByAddress()
    {
        await using var h = await Harness.StartAsync(ThreePerMinute);
        using var anonymous = h.Server.Client();

        for (var i = 0; i < 3; i++)
        {
            using var allowed = await anonymous.GetAsync("/healthz");
            Assert.Equal(HttpStatusCode.OK, allowed.StatusCode);
        }
        using var refused = await anonymous.GetAsync("/healthz");
        using var withToken = await h.User.Http.GetAsync("/api/environments");

        await LimitProblemAssert.ProblemAsync(refused, HttpStatusCode.TooManyRequests);
        Assert.NotNull(refused.Headers.RetryAfter);
        Assert.Equal(HttpStatusCode.OK, withToken.StatusCode);
    }

    [Fact]
    public void DashboardSession_IsPartitionedByItsToken_NotByItsAddress()
    {
        // The in-process host serves no Razor pages, so the session's principal is built as the sign-in page builds it.
        var options = new RateLimitOptions();
        var alice = new TokenRecord { Id = Guid.NewGuid(), Kind = TokenKinds.User, Name = "alice", Role = Roles.Admin };
        var bob = alice with { Id = Guid.NewGuid(), Name = "bob" };

        var aliceHere = CallerPartition.For(Session(alice, "10.0.0.1"), options).PartitionKey;
        var aliceThere = CallerPartition.For(Session(alice, "10.0.0.2"), options).PartitionKey;
        var bobHere = CallerPartition.For(Session(bob, "10.0.0.1"), options).PartitionKey;

        Assert.Equal(aliceHere, aliceThere);
        Assert.NotEqual(aliceHere, bobHere);
        Assert.Contains(alice.Id.ToString(), aliceHere, StringComparison.Ordinal);
    }

    private static DefaultHttpContext Session(TokenRecord record, string address)
    {
        var context = new DefaultHttpContext { User = DashboardAuth.Session(record, "token").Principal };
        context.Connection.RemoteIpAddress = IPAddress.Parse(address);
        return context;
    }
}
