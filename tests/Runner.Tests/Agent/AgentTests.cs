using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Contracts;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Orchestrator.Auth;
using Runner.Agent;
using Runner.Processes;
using Runner.Tests.Local;

namespace Runner.Tests.Agent;

/// <summary>The agent against the real orchestrator, running the real engine behind a gate.</summary>
public sealed class AgentTests(OrchestratorStack stack, TinyModelFixture model)
    : IClassFixture<OrchestratorStack>, IClassFixture<TinyModelFixture>, IAsyncLifetime
{
    private readonly TempDir _dir = new();
    private readonly List<IHost> _agents = [];
    private EngineGate _gate = null!;
    private string _environment = "";

    public async Task InitializeAsync()
    {
        _gate = new EngineGate(_dir.Sub("gate"));
        _environment = $"t{Guid.NewGuid():N}"[..12];
        using var response = await stack.User.PutAsJsonAsync($"api/environments/{_environment}", new { targetKind = "local" });
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
    }

    public async Task DisposeAsync()
    {
        foreach (var agent in _agents)
        {
            await agent.StopAsync(TimeSpan.FromSeconds(30));
            agent.Dispose();
        }

        foreach (var record in Directory.Exists(_dir.Sub("state"))
                     ? Directory.EnumerateFiles(_dir.Sub("state"), "*.json", SearchOption.AllDirectories)
                     : [])
        {
            if (DetachedProcesses.Read(record) is { Pid: > 0 } process)
            {
                await DetachedProcesses.StopAsync(process, TimeSpan.FromSeconds(5), CancellationToken.None);
            }
        }

        _dir.Dispose();
    }

    [Fact]
    public async Task Shutdown_DuringStep_StopsTheChildHandsTheStepBackAndARestartedAgentFinishesWithoutNewRegistration()
    {
        _gate.Hold("convert");
        var first = await StartAgentAsync(await stack.CreateTokenAsync(TokenKinds.Registration));
        var runId = await stack.ApplyAsync(Spec());
        await Eventually.TrueAsync(() => _gate.Pids("convert").Count == 1, "the convert to start", TimeSpan.FromSeconds(60));
        var convert = _gate.Pids("convert")[0];

        await first.StopAsync(TimeSpan.FromSeconds(60)); // what SIGTERM does

        Assert.Null(ProcStat.StartTime(convert));
        var handedBack = await stack.StepAsync(runId, StepKinds.CheckpointConvert);
        Assert.Equal(StepStatuses.Ready, handedBack["status"]!.GetValue<string>());

        _gate.Release("convert");
        await StartAgentAsync(registrationToken: null); // same work dir: the stored credential is enough
        await WaitForRunAsync(runId, RunStatuses.Succeeded, TimeSpan.FromMinutes(4));

        var runners = (await stack.User.GetFromJsonAsync<JsonArray>("api/runners"))!;
        Assert.Single(runners, r => r!["name"]!.GetValue<string>() == Name); // the restart did not register again
        var logs = await stack.LogsAsync(runId);
        Assert.Contains("handed back", logs, StringComparison.Ordinal);
        Assert.Contains("convert --in", logs, StringComparison.Ordinal);
        var credential = RunnerCredentials.Load(_dir.Sub("work"))!;
        Assert.DoesNotContain(credential.Token, logs, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Cancel_DuringStep_StopsTheChildAndTheStepEndsCancelled()
    {
        _gate.Hold("convert");
        await StartAgentAsync(await stack.CreateTokenAsync(TokenKinds.Registration));
        var runId = await stack.ApplyAsync(Spec());
        await Eventually.TrueAsync(() => _gate.Pids("convert").Count == 1, "the convert to start", TimeSpan.FromSeconds(60));

        using var cancel = await stack.User.PostAsync($"api/runs/{runId}/cancel", null);
        Assert.True(cancel.IsSuccessStatusCode);

        await WaitForRunAsync(runId, RunStatuses.Cancelled, TimeSpan.FromSeconds(60));
        await Eventually.TrueAsync(
            async () => (await stack.StepAsync(runId, StepKinds.CheckpointConvert))["status"]!.GetValue<string>() == StepStatuses.Cancelled,
            "the convert step to be cancelled");
        await Eventually.TrueAsync(() => ProcStat.StartTime(_gate.Pids("convert")[0]) is null, "the convert process to be stopped");
    }

    [Fact]
    public async Task Failure_EngineExitsNonZero_StepFailsWithTheReasonAndTheAgentKeepsWorking()
    {
        _gate.Fail("convert");
        await StartAgentAsync(await stack.CreateTokenAsync(TokenKinds.Registration));
        var runId = await stack.ApplyAsync(Spec());

        await WaitForRunAsync(runId, RunStatuses.Failed, TimeSpan.FromMinutes(2));
        var failed = await stack.StepAsync(runId, StepKinds.CheckpointConvert);
        Assert.Contains("exited with code 1", failed["error"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Contains("failing on purpose", await stack.LogsAsync(runId), StringComparison.Ordinal);

        File.Delete(_dir.Sub("gate/fail-convert"));
        using var retry = await stack.User.PostAsync($"api/runs/{runId}/retry", null);
        Assert.True(retry.IsSuccessStatusCode, await retry.Content.ReadAsStringAsync());

        await Eventually.TrueAsync(
            async () => (await stack.StepAsync(runId, StepKinds.CheckpointConvert))["status"]!.GetValue<string>() == StepStatuses.Succeeded,
            "the retried convert to succeed", TimeSpan.FromMinutes(2));
    }

    [Fact]
    public async Task Start_StoredCredentialUnknownToServer_RegistersAgainWithTheGivenToken()
    {
        new RunnerCredentials(stack.Server, Guid.NewGuid(), Name, "orch_r_forgotten").Save(_dir.Sub("work"));
        _gate.Hold("convert");

        await StartAgentAsync(await stack.CreateTokenAsync(TokenKinds.Registration));
        await stack.ApplyAsync(Spec());

        await Eventually.TrueAsync(() => _gate.Pids("convert").Count == 1, "the new registration to claim work", TimeSpan.FromSeconds(60));
        Assert.NotEqual("orch_r_forgotten", RunnerCredentials.Load(_dir.Sub("work"))!.Token);
    }

    [Fact]
    public async Task RunnerRemoved_DuringStep_StopsTheWorkAtOnce()
    {
        _gate.Hold("convert");
        await StartAgentAsync(await stack.CreateTokenAsync(TokenKinds.Registration));
        await stack.ApplyAsync(Spec());
        await Eventually.TrueAsync(() => _gate.Pids("convert").Count == 1, "the convert to start", TimeSpan.FromSeconds(60));
        var runnerId = RunnerCredentials.Load(_dir.Sub("work"))!.RunnerId;

        using var removed = await stack.User.DeleteAsync($"api/runners/{runnerId}");

        Assert.True(removed.IsSuccessStatusCode);
        await Eventually.TrueAsync(() => ProcStat.StartTime(_gate.Pids("convert")[0]) is null, "the convert process to be stopped");
    }

    [Fact]
    public async Task Slots_Two_RunTwoEnvironmentsStepsAtOnce_OneSlotRunsOneAtATime()
    {
        var other = $"t{Guid.NewGuid():N}"[..12];
        using (var created = await stack.User.PutAsJsonAsync($"api/environments/{other}", new { targetKind = "local" }))
            Assert.True(created.IsSuccessStatusCode, await created.Content.ReadAsStringAsync());
        _gate.Hold("convert");
        await StartAgentAsync(await stack.CreateTokenAsync(TokenKinds.Registration), slots: 2);

        var first = await stack.ApplyAsync(Spec());
        var second = await stack.ApplyAsync(Spec(other));

        // Both conversions are running at once, held: the one runner took both steps.
        await Eventually.TrueAsync(() => _gate.Pids("convert").Count == 2, "both converts to start", TimeSpan.FromSeconds(60));
        _gate.Release("convert");
        await WaitForRunAsync(first, RunStatuses.Succeeded, TimeSpan.FromMinutes(4));
        await WaitForRunAsync(second, RunStatuses.Succeeded, TimeSpan.FromMinutes(4));
        var runners = (await stack.User.GetFromJsonAsync<JsonArray>("api/runners"))!;
        Assert.Single(runners, r => r!["name"]!.GetValue<string>() == Name);
    }

    [Fact]
    public async Task Slots_One_TakesTheSecondEnvironmentsStepOnlyAfterTheFirst()
    {
        var other = $"t{Guid.NewGuid():N}"[..12];
        using (var created = await stack.User.PutAsJsonAsync($"api/environments/{other}", new { targetKind = "local" }))
            Assert.True(created.IsSuccessStatusCode, await created.Content.ReadAsStringAsync());
        _gate.Hold("convert");
        await StartAgentAsync(await stack.CreateTokenAsync(TokenKinds.Registration));

        await stack.ApplyAsync(Spec());
        await stack.ApplyAsync(Spec(other));

        await Eventually.TrueAsync(() => _gate.Pids("convert").Count == 1, "the first convert to start", TimeSpan.FromSeconds(60));
        await Task.Delay(TimeSpan.FromSeconds(3));
        Assert.Single(_gate.Pids("convert"));
        _gate.Release("convert");
    }

    [Fact]
    public async Task Progress_ReportedWhileTheStepRuns_AndKeptWhenItEnds()
    {
        _gate.Hold("serve");
        await StartAgentAsync(await stack.CreateTokenAsync(TokenKinds.Registration));
        var runId = await stack.ApplyAsync(Spec());

        // The replica cannot be live while its engine is held: the deploy step says 0 of 1 while it waits.
        JsonObject? waiting = null;
        await Eventually.TrueAsync(async () => (waiting = (await StepOfKindAsync(runId, StepKinds.EngineDeploy))["progress"] as JsonObject) is not null,
            "the deploy step to report progress", TimeSpan.FromSeconds(90));
        var deployStatus = (await StepOfKindAsync(runId, StepKinds.EngineDeploy))["status"]!.GetValue<string>();
        var convert = (await StepOfKindAsync(runId, StepKinds.CheckpointConvert))["progress"]!.AsObject();
        _gate.Release("serve");
        await WaitForRunAsync(runId, RunStatuses.Succeeded, TimeSpan.FromMinutes(2));
        var deployed = (await StepOfKindAsync(runId, StepKinds.EngineDeploy))["progress"]!.AsObject();

        Assert.Equal(StepStatuses.Running, deployStatus);
        Assert.Equal((0d, 1d, "replicas"), (waiting!["done"]!.GetValue<double>(), waiting["total"]!.GetValue<double>(), waiting["unit"]!.GetValue<string>()));
        Assert.Equal("tensors", convert["unit"]!.GetValue<string>());
        Assert.True(convert["total"]!.GetValue<double>() > 0);
        Assert.Equal(convert["total"]!.GetValue<double>(), convert["done"]!.GetValue<double>()); // the last report went before the completion
        Assert.Equal((1d, 1d), (deployed["done"]!.GetValue<double>(), deployed["total"]!.GetValue<double>()));
    }

    [Fact]
    public async Task Claim_CarriesAStoredSecret_TheAgentMasksItBeforeTheStepRuns()
    {
        const string value = "agent-stored-secret-0123456789";
        using (var put = await stack.User.PutAsJsonAsync("api/secrets/agent-hf", new { value }))
            Assert.True(put.IsSuccessStatusCode, await put.Content.ReadAsStringAsync());
        _gate.Hold("convert");
        var agent = await StartAgentAsync(await stack.CreateTokenAsync(TokenKinds.Registration));
        var spec = Spec();
        spec["target"]!["local"]!["huggingFaceToken"] = "secret://agent-hf";
        var runId = await stack.ApplyAsync(spec);

        // A file:// source reads no token: only the claim's secrets can have taught the masker this value.
        await Eventually.TrueAsync(async () => _gate.Pids("convert").Count > 0, "the conversion to start", TimeSpan.FromSeconds(60));
        var masked = agent.Services.GetRequiredService<SecretMasker>().Apply($"token={value}");
        _gate.Release("convert");
        await WaitForRunAsync(runId, RunStatuses.Succeeded, TimeSpan.FromMinutes(2));

        Assert.Equal($"token={SecretMasker.Mask}", masked);
        Assert.DoesNotContain(value, await stack.LogsAsync(runId) + (await stack.RunAsync(runId)).ToJsonString(), StringComparison.Ordinal);
    }

    private async Task<JsonObject> StepOfKindAsync(Guid runId, string kind) =>
        (await stack.RunAsync(runId))["steps"]!.AsArray().Select(s => s!.AsObject()).Single(s => s["kind"]!.GetValue<string>() == kind);

    private string Name => $"agent-{_environment}";

    private async Task<IHost> StartAgentAsync(string? registrationToken, int slots = 1)
    {
        var options = new RunnerOptions
        {
            Server = stack.Server,
            RegistrationToken = registrationToken,
            Labels = ["local"],
            Name = Name,
            WorkDir = _dir.Sub("work"),
            StateDirOverride = _dir.Sub("state"),
            EnginePath = _gate.Program,
            ShutdownGrace = TimeSpan.FromSeconds(1),
            ChildStop = new StopGracesOption(TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(2)),
            DrainDelay = TimeSpan.FromMilliseconds(500),
            ReplicaStopGrace = TimeSpan.FromSeconds(5),
            ClaimWaitSeconds = 5,
            Slots = slots,
        };
        var agent = AgentHost.Build(options);
        _agents.Add(agent);
        await agent.StartAsync();
        return agent;
    }

    private JsonObject Spec(string? environment = null) => new()
    {
        ["environment"] = environment ?? _environment,
        ["model"] = new JsonObject { ["family"] = "llama-3", ["size"] = "tiny", ["source"] = $"file://{model.ModelDir}" },
        ["engine"] = new JsonObject { ["replicas"] = 1, ["batchSize"] = 2, ["maxCacheLength"] = 128 },
        ["target"] = new JsonObject
        {
            ["kind"] = "local",
            ["local"] = new JsonObject
            {
                ["frontPort"] = FreePort.Next(),
                ["engineBasePort"] = FreePort.Next(),
                ["artifactsDir"] = _dir.Sub($"artifacts-{environment ?? _environment}"),
            },
        },
    };

    private async Task WaitForRunAsync(Guid runId, string status, TimeSpan within)
    {
        JsonObject run = [];
        try
        {
            await Eventually.TrueAsync(async () =>
            {
                run = await stack.RunAsync(runId);
                return run["status"]!.GetValue<string>() == status;
            }, $"run {runId} to be {status}", within);
        }
        catch (TimeoutException e)
        {
            throw new TimeoutException($"{e.Message}; it is {run.ToJsonString()}\nlogs:\n{await stack.LogsAsync(runId)}", e);
        }
    }
}
