using System.Diagnostics;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using CloudTargets.Tests.Infrastructure;
using Contracts;
using Contracts.Specs;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Npgsql;
using Orchestrator.Auth;
using Orchestrator.Hosting;
using Runner.Agent;
using Runner.Gke;
using Runner.HuggingFace;
using Runner.Kubernetes;
using Runner.Local;

namespace GkeBench;

/// <summary>The whole product in one process: the real orchestrator host (<see cref="ServerHost"/>) on a fresh database
/// of a real PostgreSQL, the real runner agent (registration, long-poll claims, heartbeats, logs, completions) with the
/// gke and kubernetes providers, and the fakes of GKE, IAM, Resource Manager, Cloud Storage and the cluster's API
/// server. The figure is from <c>POST /api/rollouts</c> to the run's <c>succeeded</c>, as a user sees it.</summary>
internal static class WithOrchestrator
{
    /// <param name="coldStart">The cloud's minutes scaled down 100× (cluster 3.6 s, node pool 2.4 s, model load 1.8 s),
    /// a tiny Llama converted by this runner (4 slots) beside the cluster operation, instead of operations done at once
    /// and the converter Job.</param>
    public static async Task<(double Milliseconds, JsonObject Run, int GoogleCalls, int KubeCalls)> RunOnceAsync(string adminConnection, bool coldStart = false)
    {
        var database = $"gkebench_{Guid.NewGuid():N}";
        await ExecuteAsync(adminConnection, $"CREATE DATABASE {database}");
        try
        {
            await using var h = await CloudHarness.StartAsync();
            h.Google.OperationPolls = 0;
            h.Kube.JobReadsBeforeDone = 0;
            var rollout = Specs.Gke(h.TokenFile);
            if (coldStart)
            {
                h.Google.OperationDurations["CREATE_CLUSTER"] = TimeSpan.FromSeconds(3.6);
                h.Google.OperationDurations["CREATE_NODE_POOL"] = TimeSpan.FromSeconds(2.4);
                h.Kube.ModelLoad = TimeSpan.FromSeconds(1.8);
                var model = Path.Combine(h.Directory, "hf-llama");
                await EnginePaths.MakeTinyLlamaAsync(model);
                rollout = rollout with { Model = new ModelSpec { Family = "llama-3", Size = "tiny", Source = new Uri(model).AbsoluteUri } };
            }

            var connection = new NpgsqlConnectionStringBuilder(adminConnection) { Database = database }.ConnectionString;
            var app = ServerHost.Build(ServerHost.CreateBuilder(
            [
                "--urls", "http://127.0.0.1:0",
                "--db", connection,
                "--Logging:LogLevel:Default", "Warning",
                "--Logging:LogLevel:Microsoft.AspNetCore", "Warning",
            ]));
            await ServerHost.StartAsync(app, CancellationToken.None);
            try
            {
                var server = new Uri(app.Urls.First());
                var tokens = app.Services.GetRequiredService<TokenStore>();
                var userToken = await tokens.CreateAsync(TokenKinds.User, "bench", CancellationToken.None);
                var registration = await tokens.CreateAsync(TokenKinds.Registration, "bench", CancellationToken.None);
                var workDir = Directory.CreateTempSubdirectory("gkebench-runner-").FullName;
                using var runner = BuildRunner(server, registration, workDir, h, coldStart ? 4 : 1);
                await runner.StartAsync();
                try
                {
                    using var user = new HttpClient { BaseAddress = server, Timeout = TimeSpan.FromSeconds(120) };
                    user.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", userToken);
                    using (var environment = await user.PutAsJsonAsync($"/api/environments/{rollout.Environment}", new { targetKind = TargetKinds.Gke }))
                    {
                        environment.EnsureSuccessStatusCode();
                    }

                    var spec = JsonSerializer.SerializeToNode(rollout, ContractJson.Options)!;
                    var watch = Stopwatch.StartNew();
                    using var applied = await user.PostAsJsonAsync("/api/rollouts", spec);
                    var created = await applied.Content.ReadFromJsonAsync<JsonObject>()
                        ?? throw new InvalidOperationException("POST /api/rollouts answered no body");
                    if (!applied.IsSuccessStatusCode)
                    {
                        throw new InvalidOperationException($"POST /api/rollouts: {(int)applied.StatusCode} {created.ToJsonString()}");
                    }

                    var id = (string?)created["id"];
                    var deadline = DateTime.UtcNow.AddSeconds(120);
                    while (true)
                    {
                        var run = await user.GetFromJsonAsync<JsonObject>($"/api/runs/{id}")
                            ?? throw new InvalidOperationException("GET /api/runs answered no body");
                        var status = (string?)run["status"] ?? "";
                        if (RunStatuses.IsFinal(status))
                        {
                            var elapsed = watch.Elapsed.TotalMilliseconds;
                            if (status != RunStatuses.Succeeded)
                            {
                                throw new InvalidOperationException($"run {status}: {run.ToJsonString()}");
                            }

                            return (elapsed, run, h.Google.Calls.Count, h.Kube.Calls.Count);
                        }

                        if (DateTime.UtcNow > deadline)
                        {
                            throw new TimeoutException($"run still {status} after 120 s: {run.ToJsonString()}");
                        }

                        await Task.Delay(10);
                    }
                }
                finally
                {
                    await runner.StopAsync();
                    Directory.Delete(workDir, recursive: true);
                }
            }
            finally
            {
                await app.StopAsync();
                await app.DisposeAsync();
            }
        }
        finally
        {
            NpgsqlConnection.ClearAllPools();
            await ExecuteAsync(adminConnection, $"DROP DATABASE IF EXISTS {database} WITH (FORCE)");
        }
    }

    /// <summary>The runner agent composed as <c>runner run</c> composes it (<see cref="AgentHost"/>), its Google endpoints
    /// and credentials pointed at the fakes, with the tests' short poll intervals.</summary>
    private static IHost BuildRunner(Uri server, string registration, string workDir, CloudHarness h, int slots)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders();
        builder.ConfigureContainer(new DefaultServiceProviderFactory(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true }));
        var options = new RunnerOptions
        {
            Server = server, RegistrationToken = registration, Labels = ["gke"], Name = "gkebench", WorkDir = workDir, ClaimWaitSeconds = 5,
            Slots = slots, EnginePath = EnginePaths.EngineDll,
        };
        builder.Services.AddAgent(options);
        builder.Services.AddSingleton<LocalProvider>();
        builder.Services.AddHubDownloads(options);
        builder.Services.AddCloudTargets(
            new GcpOptions
            {
                Endpoints = h.Google.Endpoints,
                CredentialFile = Path.Combine(h.Directory, "service-account.json"),
                RetryBase = TimeSpan.FromMilliseconds(5),
                RetryMax = TimeSpan.FromMilliseconds(50),
                PollInterval = TimeSpan.FromMilliseconds(10),
                UploadChunkBytes = 8 << 20,
            },
            new KubeOptions { PollInterval = TimeSpan.FromMilliseconds(10) });
        builder.Services.AddSingleton(_ => new EngineProbe(EngineProbe.CreateClient()));
        return builder.Build();
    }

    private static async Task ExecuteAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }
}
