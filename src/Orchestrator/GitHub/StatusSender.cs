using System.Collections.ObjectModel;
using Dapper;
using Microsoft.Extensions.Options;
using Npgsql;
using Octokit;

namespace Orchestrator.GitHub;

/// <summary>
/// Sends the queued deployment statuses of release runs (<c>github_status_updates</c>, written by the runs table's
/// trigger in the transaction that changed the run). Per run, only the oldest open update is claimed, so statuses
/// reach GitHub in the order the run went through them; the first one creates the GitHub deployment. A failure (an
/// outage, a timeout, a refusal) is logged and retried with backoff up to <see cref="GitHubOptions.MaxAttempts"/>; a
/// run never waits for any of this.
/// </summary>
public sealed partial class StatusSender(
    NpgsqlDataSource dataSource, GitHubClients github, IOptions<GitHubOptions> options, TimeProvider time, ILogger<StatusSender> logger) : BackgroundService
{
    private const int BatchSize = 20;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(options.Value.PollIntervalMilliseconds), time);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                while (await RunOnceAsync(stoppingToken) == BatchSize) { }
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                LogPassFailed(e.Message);
            }
        }
    }

    /// <summary>Sends the next due status of up to one batch of runs; returns how many were attempted.</summary>
    public async Task<int> RunOnceAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        List<Due> due;
        await using (var connection = await dataSource.OpenConnectionAsync(cancellationToken))
        {
            due = [.. await connection.QueryAsync<Due>(new CommandDefinition("""
                WITH heads AS (SELECT min(id) AS id FROM github_status_updates WHERE sent_at IS NULL AND failed_at IS NULL GROUP BY run_id),
                claimed AS (
                    UPDATE github_status_updates u SET claimed_until = @claimedUntil
                    WHERE u.id IN (SELECT s.id FROM github_status_updates s JOIN heads h ON h.id = s.id
                                   WHERE s.next_attempt_at <= @now AND (s.claimed_until IS NULL OR s.claimed_until < @now)
                                   ORDER BY s.id LIMIT @batch FOR UPDATE OF s SKIP LOCKED)
                    RETURNING u.id, u.run_id, u.state, u.description, u.attempts)
                SELECT c.id AS Id, c.run_id AS RunId, c.state AS State, c.description AS Description, c.attempts AS Attempts,
                       d.repository AS Repository, d.ref AS Ref, d.environment AS Environment, d.installation_id AS InstallationId,
                       d.deployment_id AS DeploymentId, d.run_id IS NOT NULL AS HasDeployment
                FROM claimed c LEFT JOIN github_deployments d ON d.run_id = c.run_id
                """, new { now, batch = BatchSize, claimedUntil = now.AddSeconds(options.Value.RequestTimeoutSeconds * 3 + 10) },
                cancellationToken: cancellationToken))];
        }
        await Task.WhenAll(due.Select(d => AttemptAsync(d, cancellationToken)));
        return due.Count;
    }

    private async Task AttemptAsync(Due update, CancellationToken cancellationToken)
    {
        if (!update.HasDeployment)
        {
            // A rollback to a spec that no release of this repository made: there is no ref to deploy.
            await RecordAsync(update, "the run has no GitHub deployment (its spec came from no release of the repository)", giveUp: true, cancellationToken);
            return;
        }
        string? error;
        try
        {
            var client = await github.ForInstallationAsync(update.InstallationId);
            var (owner, name) = DeliveryProcessor.Split(update.Repository!);
            var deploymentId = update.DeploymentId ?? await CreateDeploymentAsync(client, owner, name, update, cancellationToken);
            // Octokit's deployment clients take no cancellation token; GitHub:RequestTimeoutSeconds bounds each call.
            await client.Repository.Deployment.Status.Create(owner, name, deploymentId, Status(update));
            error = null;
        }
        catch (GitHubNotConfiguredException e)
        {
            error = e.Message;
        }
        catch (Exception e) when (DeliveryProcessor.IsTransient(e) && !cancellationToken.IsCancellationRequested)
        {
            error = DeliveryProcessor.Describe(e);
        }
        await RecordAsync(update, error, giveUp: false, cancellationToken);
    }

    private async Task<long> CreateDeploymentAsync(IGitHubClient client, string owner, string name, Due update, CancellationToken cancellationToken)
    {
        // required_contexts empty: our rollout is the check; auto_merge off: deploy the tag as it is.
        var deployment = await client.Repository.Deployment.Create(owner, name, new NewDeployment(update.Ref)
        {
            Environment = update.Environment,
            AutoMerge = false,
            RequiredContexts = new Collection<string>(),
            Description = $"model rollout of {update.Ref} to {update.Environment}",
            TransientEnvironment = false,
        });
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition(
            "UPDATE github_deployments SET deployment_id = @Id WHERE run_id = @RunId AND deployment_id IS NULL",
            new { deployment.Id, update.RunId }, cancellationToken: cancellationToken));
        return deployment.Id;
    }

    private NewDeploymentStatus Status(Due update)
    {
        var status = new NewDeploymentStatus(update.State switch
        {
            "queued" => DeploymentState.Queued,
            "in_progress" => DeploymentState.InProgress,
            "success" => DeploymentState.Success,
            "failure" => DeploymentState.Failure,
            "inactive" => DeploymentState.Inactive,
            _ => DeploymentState.Error,
        })
        {
            Description = update.Description,
            // We retire the deployment a success replaced ourselves (an inactive update), for every environment.
            AutoInactive = false,
        };
        if (options.Value.PublicUrl is { } publicUrl)
        {
            // Relative to the public URL's path (https://host/orchestrator/api/runs/…), so it must end with '/'.
            var root = publicUrl.AbsoluteUri.EndsWith('/') ? publicUrl : new Uri(publicUrl.AbsoluteUri + "/");
            status.LogUrl = new Uri(root, $"api/runs/{update.RunId}").ToString();
            status.EnvironmentUrl = new Uri(root, $"api/environments/{Uri.EscapeDataString(update.Environment!)}/generate").ToString();
        }
        return status;
    }

    private async Task RecordAsync(Due update, string? error, bool giveUp, CancellationToken cancellationToken)
    {
        var o = options.Value;
        var attempts = update.Attempts + 1;
        giveUp |= error is not null && attempts >= o.MaxAttempts;
        var backoff = Backoff.Next(o, attempts);
        if (error is not null)
            LogAttemptFailed(update.State, update.RunId, attempts, error, giveUp ? "giving up" : $"next in {backoff.TotalSeconds:0.#} s");
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition("""
            UPDATE github_status_updates SET attempts = @attempts, claimed_until = NULL, last_error = @error,
                sent_at = CASE WHEN @error IS NULL THEN @now END,
                failed_at = CASE WHEN @giveUp THEN @now END,
                next_attempt_at = CASE WHEN @error IS NULL OR @giveUp THEN next_attempt_at ELSE @next END
            WHERE id = @Id
            """, new { update.Id, attempts, error, giveUp, now = time.GetUtcNow(), next = time.GetUtcNow().Add(backoff) }, cancellationToken: cancellationToken));
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "GitHub status pass failed, trying again: {Error}")]
    private partial void LogPassFailed(string error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "GitHub status {State} of run {RunId}: attempt {Attempt} failed ({Error}); {Then}")]
    private partial void LogAttemptFailed(string state, Guid runId, int attempt, string error, string then);

    private sealed record Due
    {
        public long Id { get; init; }
        public Guid RunId { get; init; }
        public string State { get; init; } = "";
        public string? Description { get; init; }
        public int Attempts { get; init; }
        public string? Repository { get; init; }
        public string? Ref { get; init; }
        public string? Environment { get; init; }
        public long? InstallationId { get; init; }
        public long? DeploymentId { get; init; }
        public bool HasDeployment { get; init; }
    }
}
