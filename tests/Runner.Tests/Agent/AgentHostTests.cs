using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Logging.Console;
using Microsoft.Extensions.Options;
using Contracts.Specs;
using Runner.Agent;
using Runner.Health;

namespace Runner.Tests.Agent;

public sealed class AgentHostTests
{
    [Fact]
    public void Build_DefaultOptions_ValidatesEveryRegistrationAndResolvesTheExecutor()
    {
        using var dir = new TempDir();
        using var host = AgentHost.Build(new RunnerOptions { WorkDir = dir.Path });

        Assert.NotNull(host.Services.GetRequiredService<IStepExecutor>());
        Assert.NotNull(host.Services.GetRequiredService<Listener>());
    }

    [Fact]
    public void Build_DefaultOptions_HasAHealthProbeForEveryTargetKind()
    {
        using var dir = new TempDir();
        using var host = AgentHost.Build(new RunnerOptions { WorkDir = dir.Path });

        var kinds = host.Services.GetServices<IHealthProbe>().Select(p => p.TargetKind).Order(StringComparer.Ordinal);

        Assert.Equal([TargetKinds.Gke, TargetKinds.Kubernetes, TargetKinds.Local], kinds);
    }

    [Fact]
    public void ConsoleLog_ASecretTheAgentWasGiven_IsMaskedInMessageAndException()
    {
        using var dir = new TempDir();
        using var host = AgentHost.Build(new RunnerOptions { WorkDir = dir.Path });
        const string secret = "hf_consoleSecretValue1234567890";
        host.Services.GetRequiredService<SecretMasker>().Add(secret);
        var console = host.Services.GetRequiredService<IOptionsMonitor<ConsoleLoggerOptions>>().CurrentValue;
        var formatter = Assert.Single(host.Services.GetServices<ConsoleFormatter>(), f => f.Name == console.FormatterName);
        var crash = new InvalidOperationException($"download failed with Authorization: Bearer {secret} ({Convert.ToBase64String(Encoding.UTF8.GetBytes(secret))})");
        using var text = new StringWriter();

        formatter.Write(new LogEntry<string>(LogLevel.Error, "Runner.Agent.StepJob", new EventId(7), $"step crashed using {secret}", crash, (m, _) => m), null, text);

        var written = text.ToString();
        Assert.Contains("fail: Runner.Agent.StepJob[7]", written, StringComparison.Ordinal);
        Assert.Contains("step crashed using ***", written, StringComparison.Ordinal);
        Assert.Contains("download failed with Authorization", written, StringComparison.Ordinal);
        Assert.DoesNotContain(secret, written, StringComparison.Ordinal);
        Assert.DoesNotContain(Convert.ToBase64String(Encoding.UTF8.GetBytes(secret)), written, StringComparison.Ordinal);
    }
}
