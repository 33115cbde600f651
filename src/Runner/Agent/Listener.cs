using Contracts.Protocol;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Runner.Agent;

/// <summary>
/// The agent's main loop: registers once (or loads the stored credential), long-polls for steps and runs each through
/// <see cref="StepJob"/>, in <see cref="RunnerOptions.Slots"/> slots at once (a gke runner waits on cloud operations:
/// with several slots it converts while the cluster is being created). A failed pass is logged and backed off, never fatal; only a refused credential ends it.
/// On SIGTERM/SIGINT it stops claiming and lets the current step finish within its grace.
/// </summary>
internal sealed class Listener(
    OrchestratorClient client,
    StepJob job,
    SecretMasker masker,
    RunnerOptions options,
    IHostApplicationLifetime lifetime,
    TimeProvider time,
    ILogger<Listener> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        List<Task> others = [];
        try
        {
            var stored = await EnsureRegisteredAsync(stoppingToken);
            // Extra slots claim and run steps beside the first one; only the first registers again.
            others = Enumerable.Range(1, options.Slots - 1).Select(_ => ExtraSlotAsync(stoppingToken)).ToList();
            var backoff = new Backoff(TimeSpan.FromSeconds(30));
            while (!stoppingToken.IsCancellationRequested)
            {
                bool reached;
                try
                {
                    reached = await RunOnceAsync(stoppingToken);
                }
                catch (OrchestratorException e) when (e.IsUnauthorized && stored && options.RegistrationToken is not null)
                {
                    // The server no longer knows the stored credential (a new database, or the runner was removed):
                    // a registration token was given, so register afresh instead of giving up.
                    AgentLog.Unauthorized(logger, masker.Apply(e.Message));
                    File.Delete(Path.Combine(options.WorkDir, RunnerCredentials.FileName));
                    stored = await EnsureRegisteredAsync(stoppingToken);
                    continue;
                }

                if (reached)
                {
                    backoff.Reset();
                }
                else
                {
                    await Task.Delay(backoff.Next(), time, stoppingToken);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down.
        }
        catch (OrchestratorException e) when (e.IsUnauthorized)
        {
            AgentLog.Unauthorized(logger, masker.Apply(e.Message));
            Environment.ExitCode = 3;
            lifetime.StopApplication();
        }
        finally
        {
            // The other slots' steps finish (or are handed back) within the same grace.
            await Task.WhenAll(others);
        }
    }

    /// <summary>One claim and, if a step came, its whole execution, and then each next step the server hands with the
    /// completion (a step that comes while shutting down is run within the grace, or handed back). False when the server
    /// could not be reached.</summary>
    public async Task<bool> RunOnceAsync(CancellationToken stoppingToken)
    {
        StepClaim? claim;
        try
        {
            claim = await client.ClaimAsync(options.ClaimWaitSeconds, stoppingToken);
        }
        catch (Exception e) when (OrchestratorClient.IsTransient(e, stoppingToken) || e is OrchestratorException { IsUnauthorized: false })
        {
            AgentLog.ServerUnreachable(logger, e, TimeSpan.FromSeconds(1));
            return false;
        }

        while (claim is not null)
        {
            claim = await job.RunAsync(claim, stoppingToken);
        }

        return true;
    }

    // A slot beyond the first: the same claim-and-run cycle. A refused credential waits for the first slot, which
    // registers again or ends the agent.
    private async Task ExtraSlotAsync(CancellationToken stoppingToken)
    {
        var backoff = new Backoff(TimeSpan.FromSeconds(30));
        while (!stoppingToken.IsCancellationRequested)
        {
            bool reached;
            try
            {
                reached = await RunOnceAsync(stoppingToken);
            }
            catch (OrchestratorException e) when (e.IsUnauthorized)
            {
                reached = false;
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }

            if (reached)
            {
                backoff.Reset();
                continue;
            }

            try
            {
                await Task.Delay(backoff.Next(), time, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    /// <summary>Loads the stored credential (true) or registers with the registration token (false).</summary>
    private async Task<bool> EnsureRegisteredAsync(CancellationToken cancellationToken)
    {
        var stored = RunnerCredentials.Load(options.WorkDir);
        if (stored is not null && stored.Server == options.Server)
        {
            client.Token = stored.Token;
            masker.Add(stored.Token);
            AgentLog.CredentialLoaded(logger, stored.RunnerId);
            return true;
        }

        var registrationToken = options.RegistrationToken
            ?? throw new OrchestratorException(401, $"no stored credential in {options.WorkDir} and no registration token given");
        masker.Add(registrationToken);
        var backoff = new Backoff(TimeSpan.FromSeconds(30));
        while (true)
        {
            try
            {
                var registered = await client.RegisterAsync(
                    registrationToken, new RegisterRunnerRequest(options.Name, options.Labels), cancellationToken);
                masker.Add(registered.Token);
                new RunnerCredentials(options.Server, registered.RunnerId, options.Name, registered.Token).Save(options.WorkDir);
                client.Token = registered.Token;
                AgentLog.Registered(logger, registered.RunnerId, options.Name, string.Join(',', options.Labels));
                return false;
            }
            catch (Exception e) when (OrchestratorClient.IsTransient(e, cancellationToken))
            {
                var delay = backoff.Next();
                AgentLog.ServerUnreachable(logger, e, delay);
                await Task.Delay(delay, time, cancellationToken);
            }
        }
    }
}
