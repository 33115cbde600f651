using Microsoft.Extensions.Options;
using Orchestrator.Hosting;

namespace Orchestrator.Tests.Limits;

public sealed class LimitOptionsTests
{
    [Theory]
    [InlineData("Limits:Bodies:Default", "0")]
    [InlineData("Limits:Bodies:Runner", "-1")]
    [InlineData("Limits:Bodies:Webhook", "0")]
    [InlineData("Limits:Rates:Users:PermitLimit", "0")]
    [InlineData("Limits:Rates:Runners:PermitLimit", "-5")]
    [InlineData("Limits:Rates:Anonymous:Window", "00:00:00")]
    [InlineData("Limits:Rates:Users:Window", "-00:00:01")]
    [InlineData("Limits:Rates:Users:QueueLimit", "-1")]
    [InlineData("Limits:Followers:MaxConcurrent", "0")]
    public async Task Start_WithAnInvalidLimit_IsRefusedNamingTheSetting(string key, string value)
    {
        string[] args = ["--db", "Host=127.0.0.1;Port=1;Username=x", "--urls", "http://127.0.0.1:0", $"--{key}", value];

        // Kestrel's own limit is read when the host is built, the others when it starts: either refuses before serving.
        var error = await Assert.ThrowsAsync<OptionsValidationException>(async () =>
        {
            await using var app = ServerHost.Build(ServerHost.CreateBuilder(args));
            await app.StartAsync();
        });

        Assert.Contains(key, error.Message, StringComparison.Ordinal);
    }
}
