using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using CloudTargets.Tests.Infrastructure;
using Contracts;
using Microsoft.Extensions.Hosting;
using Orchestrator.Auth;
using Orchestrator.Cli;
using Runner.Agent;
using Runner.Tests.Agent;

namespace CloudTargets.Tests.Secrets;

/// <summary>
/// A secret set through the CLI, a kubernetes rollout that names it, the real orchestrator and a real runner agent
/// against the fake Kubernetes API server: the value reaches the cluster's Secret through <c>secret.ensure</c> and
/// nothing else — no log line, step output, API answer, CLI output, plan, or row or column of the database dump
/// holds it, raw or base64-encoded.
/// </summary>
public sealed class SecretRolloutTests : IAsyncLifetime
{
    private readonly OrchestratorStack _stack = new();
    private CloudHarness _cloud = null!;
    private IHost? _agent;
    private string _dir = "";

    public async Task InitializeAsync()
    {
        await _stack.InitializeAsync();
        _cloud = await CloudHarness.StartAsync();
        _dir = Directory.CreateTempSubdirectory("secret-rollout-").FullName;
    }

    public async Task DisposeAsync()
    {
        if (_agent is not null)
        {
            await _agent.StopAsync(TimeSpan.FromSeconds(30));
            _agent.Dispose();
        }

        await _cloud.DisposeAsync();
        await _stack.DisposeAsync();
        Directory.Delete(_dir, recursive: true);
    }

    [Fact]
    public async Task SecretSetByTheCli_ReachesSecretEnsure_AndIsInNoLogOutputAnswerPlanOrDatabaseColumn()
    {
        var value = $"e2e-Secret-{Guid.NewGuid():N}";
        var token = await _stack.CreateTokenAsync(TokenKinds.User);
        string[] connection = ["--server", _stack.Server.ToString(), "--token", token];
        var cli = new StringBuilder();
        using (var put = await _stack.User.PutAsJsonAsync("api/environments/sec", new { targetKind = "kubernetes" }))
            Assert.True(put.IsSuccessStatusCode, await put.Content.ReadAsStringAsync());

        var (code, output, error) = await CliAsync(["secrets", "set", "hf-token", .. connection], stdin: value + "\n");
        Assert.True(code == 0, error);
        Assert.Contains("secret://hf-token", output, StringComparison.Ordinal);
        cli.Append(output).Append(error);
        var specFile = Path.Combine(_dir, "rollout.yaml");
        await File.WriteAllTextAsync(specFile, $"""
            environment: sec
            model: {"{"} family: gemma, size: 7b, source: "hf://google/gemma-7b-it-pytorch@main" {"}"}
            target:
              kind: kubernetes
              kubernetes: {"{"} kubeconfig: "{_cloud.WriteKubeconfig()}", context: fake, namespace: default, bucket: {Specs.Bucket}, huggingFaceToken: "secret://hf-token" {"}"}
            """);
        foreach (var args in new[] { ["plan", "-f", specFile, "-o", "json", .. connection], new[] { "secrets", "list", "-o", "json" }.Concat(connection).ToArray() })
        {
            (code, output, error) = await CliAsync(args);
            Assert.True(code == 0, error);
            cli.Append(output).Append(error);
        }

        (code, output, error) = await CliAsync(["apply", "-f", specFile, "-o", "json", .. connection]);
        Assert.True(code == 0, error);
        cli.Append(output).Append(error);
        var runId = JsonNode.Parse(output)!["id"]!.GetValue<Guid>();
        await StartAgentAsync();
        await StepSucceededAsync(runId, StepKinds.SecretEnsure);
        using (var cancel = await _stack.User.PostAsync($"api/runs/{runId}/cancel", null)) Assert.True(cancel.IsSuccessStatusCode);
        await RunEndedAsync(runId);

        // It reached the cluster, through the step that needs it.
        var secret = _cloud.Kube.Get("secrets", "default", "huggingface-secret")!;
        Assert.Equal(value, Encoding.UTF8.GetString(Convert.FromBase64String((string)secret["data"]!["HUGGINGFACE_TOKEN"]!)));
        // And nowhere else.
        var answers = string.Join('\n', await Task.WhenAll(
            _stack.User.GetStringAsync($"api/runs/{runId}"), _stack.User.GetStringAsync($"api/runs/{runId}/logs"),
            _stack.User.GetStringAsync("api/secrets"), _stack.User.GetStringAsync("api/environments/sec"), _stack.User.GetStringAsync("api/runs")));
        Assert.Contains("huggingface-secret", answers, StringComparison.Ordinal);
        var dump = await DatabaseDump.TextAsync(_stack.ConnectionString);
        Assert.Contains("secret://hf-token", dump, StringComparison.Ordinal);
        Assert.Contains("COPY public.secrets", dump, StringComparison.Ordinal);
        foreach (var (where, text) in new[] { ("the API's answers", answers), ("the CLI's output", cli.ToString()), ("the database dump", dump) })
            foreach (var form in Forms(value))
                Assert.False(text.Contains(form, StringComparison.Ordinal), $"{where} holds the secret as '{form}'");
    }

    /// <summary>The value, its base64 (standard and URL alphabets) whole and at each of the three alignments it can have
    /// inside a longer encoded text (the characters decided by its own bytes only).</summary>
    private static IEnumerable<string> Forms(string value)
    {
        var bytes = Encoding.UTF8.GetBytes(value);
        yield return value;
        yield return Convert.ToBase64String(bytes);
        for (var shift = 0; shift < 3; shift++)
        {
            var rest = bytes[shift..];
            var encoded = Convert.ToBase64String(rest)[..(rest.Length / 3 * 4)];
            yield return encoded;
            yield return encoded.Replace('+', '-').Replace('/', '_');
        }
    }

    private async Task StartAgentAsync()
    {
        var options = new RunnerOptions
        {
            Server = _stack.Server,
            RegistrationToken = await _stack.CreateTokenAsync(TokenKinds.Registration),
            Labels = ["kubernetes"],
            Name = "secret-rollout",
            WorkDir = Path.Combine(_dir, "work"),
            ShutdownGrace = TimeSpan.FromSeconds(1),
            ClaimWaitSeconds = 2,
        };
        _agent = AgentHost.Build(options);
        await _agent.StartAsync();
    }

    private async Task StepSucceededAsync(Guid runId, string kind)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        JsonObject run;
        do
        {
            run = (await _stack.RunAsync(runId));
            var step = run["steps"]!.AsArray().Single(s => (string?)s!["kind"] == kind)!;
            if ((string?)step["status"] == StepStatuses.Succeeded) return;
            Assert.NotEqual(StepStatuses.Failed, (string?)step["status"]);
            await Task.Delay(100);
        }
        while (DateTime.UtcNow < deadline);
        Assert.Fail($"{kind} did not succeed within 60 s: {run.ToJsonString()}");
    }

    private async Task RunEndedAsync(Guid runId)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while ((string?)(await _stack.RunAsync(runId))["status"] is not (RunStatuses.Cancelled or RunStatuses.Failed or RunStatuses.Succeeded))
        {
            Assert.True(DateTime.UtcNow < deadline, "the run did not end within 60 s of its cancellation");
            await Task.Delay(100);
        }
    }

    private static async Task<(int Code, string Out, string Error)> CliAsync(string[] args, string stdin = "")
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var code = await CliApp.RunAsync(args, new CliContext(output, error, new StringReader(stdin), false, TimeProvider.System, CancellationToken.None));
        return (code, output.ToString(), error.ToString());
    }
}
