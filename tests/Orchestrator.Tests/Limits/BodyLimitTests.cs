using System.Net;
using System.Net.Sockets;
using System.Text;
using Orchestrator.Tests.Infrastructure;

namespace Orchestrator.Tests.Limits;

public sealed class BodyLimitTests
{
    private static readonly string[] SmallLimits = ["--Limits:Bodies:Default", "2000", "--Limits:Bodies:Runner", "8000"];

    private static string EnvironmentBody(int size) => $$"""{"targetKind":"local","padding":"{{new string('x', size)}}"}""";

    [Fact]
    public async Task DeclaredBody_PastTheDefaultLimit_Is413NamingTheSetting()
    {
        await using var h = await Harness.StartAsync(SmallLimits);

        using var response = await h.User.Http.PutAsync("/api/environments/big", new StringContent(EnvironmentBody(3000), Encoding.UTF8, "application/json"));

        var detail = await LimitProblemAssert.ProblemAsync(response, HttpStatusCode.RequestEntityTooLarge);
        Assert.Contains("Limits:Bodies:Default", detail, StringComparison.Ordinal);
        Assert.Contains("2000", detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ChunkedBody_PastTheDefaultLimit_Is413NamingTheSetting()
    {
        await using var h = await Harness.StartAsync(SmallLimits);
        using var content = new StreamContent(new MemoryStream(Encoding.UTF8.GetBytes(EnvironmentBody(3000))));
        content.Headers.ContentType = new("application/json");
        using var request = new HttpRequestMessage(HttpMethod.Put, "/api/environments/big") { Content = content };
        request.Headers.TransferEncodingChunked = true;

        using var response = await h.User.Http.SendAsync(request);

        var detail = await LimitProblemAssert.ProblemAsync(response, HttpStatusCode.RequestEntityTooLarge);
        Assert.Contains("Limits:Bodies:Default", detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunnerLogBatch_IsHeldToTheRunnerLimit_NotTheDefault()
    {
        await using var h = await Harness.StartAsync(SmallLimits);
        using var runner = await h.RunnerAsync();
        await h.User.ApplyAsync(Specs.Local());
        var claim = await runner.ClaimRequiredAsync();

        using var underRunnerLimit = await runner.LogAsync(claim, new string('a', 5000));
        using var overRunnerLimit = await runner.LogAsync(claim, new string('a', 9000));

        Assert.True(underRunnerLimit.IsSuccessStatusCode, await underRunnerLimit.Content.ReadAsStringAsync());
        var detail = await LimitProblemAssert.ProblemAsync(overRunnerLimit, HttpStatusCode.RequestEntityTooLarge);
        Assert.Contains("Limits:Bodies:Runner", detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task HugeDeclaredBody_NeverSent_IsAnsweredAtOnce()
    {
        await using var h = await Harness.StartAsync(SmallLimits);
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(h.Server.BaseAddress.Host, h.Server.BaseAddress.Port);
        var stream = tcp.GetStream();
        var head = $"PUT /api/environments/big HTTP/1.1\r\nHost: {h.Server.BaseAddress.Authority}\r\nContent-Type: application/json\r\nContent-Length: 10000000000\r\n\r\n{{";
        await stream.WriteAsync(Encoding.ASCII.GetBytes(head));

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var buffer = new byte[4096];
        var read = await stream.ReadAsync(buffer, timeout.Token);

        var answer = Encoding.ASCII.GetString(buffer, 0, read);
        Assert.StartsWith("HTTP/1.1 413", answer, StringComparison.Ordinal);
        Assert.Contains("application/problem+json", answer, StringComparison.Ordinal);
    }
}
