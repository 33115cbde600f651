using Contracts.Specs;
using Dapper;
using Microsoft.Extensions.Options;
using Npgsql;
using Octokit;

namespace Orchestrator.GitHub;

/// <summary>
/// Works on recorded deliveries after the receiver has answered: claims them (<c>FOR UPDATE SKIP LOCKED</c>, with a
/// token that fences every later write), finds the repository's binding, reads the spec at the release's tag from
/// GitHub and starts the rollout, marking the delivery processed in the run's own transaction. A delivery whose claim
/// lapsed (a crash, an instance gone) is claimed again; GitHub being unreachable retries it with backoff.
/// Not thread safe: one pass at a time (the hosted loop).
/// </summary>
public sealed partial class DeliveryProcessor(
    NpgsqlDataSource dataSource, GitHubClients github, ReleaseRuns runs, ReleaseRollback rollback, IOptions<GitHubOptions> options,
    TimeProvider time, Telemetry.OrchestratorMetrics metrics, ILogger<DeliveryProcessor> logger) : BackgroundService
{
    private const int BatchSize = 10;
    private TaskCompletionSource _pulse = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>A delivery was recorded on this instance: look now rather than at the next poll.</summary>
    public void Pulse() => Volatile.Read(ref _pulse).TrySetResult();

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            // A pulse from now on (a delivery recorded during this pass) cuts the next wait short.
            Volatile.Write(ref _pulse, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
            try
            {
                while (await RunOnceAsync(stoppingToken) == BatchSize) { }
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                LogPassFailed(e.Message);
            }
            await Task.WhenAny(Volatile.Read(ref _pulse).Task, Task.Delay(TimeSpan.FromMilliseconds(options.Value.PollIntervalMilliseconds), time, stoppingToken));
        }
    }

    /// <summary>Claims and works on up to one batch of due deliveries, oldest first; returns how many.</summary>
    public async Task<int> RunOnceAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        List<ClaimedDelivery> due;
        await using (var connection = await dataSource.OpenConnectionAsync(cancellationToken))
        {
            due = [.. (await connection.QueryAsync<ClaimedDelivery>(new CommandDefinition("""
                UPDATE github_deliveries d SET claim_token = gen_random_uuid(), claimed_until = @claimedUntil
                WHERE d.delivery_id IN (SELECT delivery_id FROM github_deliveries
                                        WHERE processed_at IS NULL AND next_attempt_at <= @now AND (claimed_until IS NULL OR claimed_until < @now)
                                        ORDER BY received_at LIMIT @batch FOR UPDATE SKIP LOCKED)
                RETURNING d.delivery_id AS DeliveryId, d.event AS Event, d.action AS Action, d.repository AS Repository, d.release_id AS ReleaseId,
                          d.tag AS Tag, d.prerelease AS Prerelease, d.installation_id AS InstallationId, d.attempts AS Attempts,
                          d.claim_token AS ClaimToken, d.received_at AS ReceivedAt
                """, new { now, batch = BatchSize, claimedUntil = now.AddSeconds(options.Value.RequestTimeoutSeconds * 3 + 30) },
                cancellationToken: cancellationToken))).OrderBy(d => d.ReceivedAt)];
        }
        foreach (var delivery in due) await ProcessAsync(delivery, cancellationToken);
        return due.Count;
    }

    private async Task ProcessAsync(ClaimedDelivery delivery, CancellationToken cancellationToken)
    {
        DeliveryOutcome? outcome;
        try
        {
            outcome = await DecideAsync(delivery, cancellationToken);
        }
        catch (GitHubNotConfiguredException e)
        {
            outcome = new DeliveryOutcome(DeliveryOutcome.Failed, e.Message);
        }
        catch (Exception e) when (IsTransient(e) && !cancellationToken.IsCancellationRequested)
        {
            await RetryAsync(delivery, Describe(e), cancellationToken);
            return;
        }
        if (outcome is not null) await FinishAsync(delivery, outcome, cancellationToken);
    }

    /// <summary>What to do with the delivery; null when a run was started (the delivery is already marked).</summary>
    private async Task<DeliveryOutcome?> DecideAsync(ClaimedDelivery delivery, CancellationToken cancellationToken)
    {
        if (delivery is not { Event: "release", Repository: { } repository, ReleaseId: not null, Tag: { } tag, Action: { } action })
            return DeliveryOutcome.Ignore($"a '{delivery.Event}' event without a release: nothing to roll out");
        BindingDto? binding;
        await using (var connection = await dataSource.OpenConnectionAsync(cancellationToken))
            binding = await BindingStore.FindAsync(connection, repository, cancellationToken);
        if (binding is null) return DeliveryOutcome.Ignore($"no webhook binding for {repository} (POST /api/webhooks/bindings)");
        var environment = delivery.Prerelease ? binding.StagingEnvironment : binding.ProdEnvironment;
        var which = delivery.Prerelease ? "staging environment for pre-releases" : "prod environment for releases";
        if (Bindings.RemoveActions.Contains(action))
        {
            if (binding.OnRemoved != Bindings.Rollback) return DeliveryOutcome.Ignore($"release {action}; the binding's onRemoved is '{binding.OnRemoved}'", environment);
            if (environment is null) return DeliveryOutcome.Ignore($"release {action}; the binding has no {which}");
            return await rollback.RollBackAsync(delivery, binding, environment, cancellationToken);
        }
        if (!binding.Actions.Contains(action))
            return DeliveryOutcome.Ignore($"action '{action}' is not one the binding rolls out ({string.Join(", ", binding.Actions)})");
        if (environment is null) return DeliveryOutcome.Ignore($"the binding has no {which}");
        if (await EarlierDeliveryAsync(delivery, environment, cancellationToken) is { } earlier)
            return DeliveryOutcome.Ignore($"release {tag} was rolled out to {environment} already, by delivery {earlier}", environment);

        var text = await FetchSpecAsync(delivery, binding, repository, tag);
        if (text is null) return DeliveryOutcome.Refuse($"{binding.SpecPath} does not exist in {repository} at {tag} (or the App's installation cannot read the repository)", environment);
        var (spec, error) = ReleaseSpec.Parse(text, binding.SpecPath, tag, environment);
        if (spec is null) return DeliveryOutcome.Refuse(error!, environment);
        return await runs.StartAsync(delivery, spec, ReleaseRuns.Trigger(delivery), new Deployment(repository, tag, environment, delivery.InstallationId ?? binding.InstallationId), cancellationToken);
    }

    /// <summary>GitHub sends <c>published</c> and then <c>released</c> (or <c>prereleased</c>) for one release: the
    /// first starts the rollout, the others find it.</summary>
    private async Task<string?> EarlierDeliveryAsync(ClaimedDelivery delivery, string environment, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await connection.QuerySingleOrDefaultAsync<string?>(new CommandDefinition("""
            SELECT delivery_id FROM github_deliveries
            WHERE repository = @Repository AND release_id = @ReleaseId AND tag = @Tag AND environment = @environment AND outcome = 'started'
            LIMIT 1
            """, new { delivery.Repository, delivery.ReleaseId, delivery.Tag, environment }, cancellationToken: cancellationToken));
    }

    /// <summary>The spec file's text at the tag; null when GitHub says it is not there.</summary>
    private async Task<string?> FetchSpecAsync(ClaimedDelivery delivery, BindingDto binding, string repository, string tag)
    {
        var client = await github.ForInstallationAsync(delivery.InstallationId ?? binding.InstallationId);
        var (owner, name) = Split(repository);
        try
        {
            // Octokit's contents client takes no cancellation token; GitHub:RequestTimeoutSeconds bounds the call.
            var bytes = await client.Repository.Content.GetRawContentByRef(owner, name, binding.SpecPath, tag);
            return System.Text.Encoding.UTF8.GetString(bytes);
        }
        catch (NotFoundException)
        {
            return null;
        }
    }

    internal static (string Owner, string Name) Split(string repository) => repository.Split('/') is [var o, var n] ? (o, n) : throw new ArgumentException($"not owner/name: {repository}", nameof(repository));

    internal static bool IsTransient(Exception e) => e is ApiException or HttpRequestException or TimeoutException or TaskCanceledException or NpgsqlException;

    internal static string Describe(Exception e) => e switch
    {
        ApiException api => $"GitHub answered {(int)api.StatusCode}: {api.Message}",
        TaskCanceledException or TimeoutException => "GitHub did not answer in time",
        _ => e.Message,
    };

    private async Task FinishAsync(ClaimedDelivery delivery, DeliveryOutcome outcome, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var marked = await connection.ExecuteAsync(new CommandDefinition("""
            UPDATE github_deliveries SET processed_at = @now, outcome = @Outcome, detail = @Detail, environment = @Environment,
                                         claim_token = NULL, claimed_until = NULL
            WHERE delivery_id = @DeliveryId AND claim_token = @ClaimToken
            """, new { delivery.DeliveryId, delivery.ClaimToken, outcome.Outcome, outcome.Detail, outcome.Environment, now = time.GetUtcNow() },
            cancellationToken: cancellationToken));
        if (marked == 0)
        {
            LogClaimLost(delivery.DeliveryId);
            return;
        }
        LogFinished(delivery.DeliveryId, outcome.Outcome, outcome.Detail);
        metrics.WebhookOutcomes.WithLabels(outcome.Outcome).Inc();
    }

    private async Task RetryAsync(ClaimedDelivery delivery, string error, CancellationToken cancellationToken)
    {
        var o = options.Value;
        var attempts = delivery.Attempts + 1;
        if (attempts >= o.MaxAttempts)
        {
            await FinishAsync(delivery, new DeliveryOutcome(DeliveryOutcome.Failed, $"gave up after {attempts} attempts: {error}"), cancellationToken);
            return;
        }
        var backoff = Backoff.Next(o, attempts);
        LogRetry(delivery.DeliveryId, attempts, error, backoff.TotalSeconds);
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition("""
            UPDATE github_deliveries SET attempts = @attempts, detail = @error, next_attempt_at = @next, claim_token = NULL, claimed_until = NULL
            WHERE delivery_id = @DeliveryId AND claim_token = @ClaimToken
            """, new { delivery.DeliveryId, delivery.ClaimToken, attempts, error, next = time.GetUtcNow().Add(backoff) }, cancellationToken: cancellationToken));
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "GitHub delivery pass failed, trying again: {Error}")]
    private partial void LogPassFailed(string error);

    [LoggerMessage(Level = LogLevel.Information, Message = "GitHub delivery {DeliveryId}: {Outcome} ({Detail})")]
    private partial void LogFinished(string deliveryId, string outcome, string detail);

    [LoggerMessage(Level = LogLevel.Warning, Message = "GitHub delivery {DeliveryId}: attempt {Attempt} failed ({Error}); next in {Seconds:0.#} s")]
    private partial void LogRetry(string deliveryId, int attempt, string error, double seconds);

    [LoggerMessage(Level = LogLevel.Warning, Message = "GitHub delivery {DeliveryId}: claim lost to another pass; its outcome was not written")]
    private partial void LogClaimLost(string deliveryId);
}
