using Dapper;
using Npgsql;
using Octokit.Webhooks;
using Octokit.Webhooks.Events;
using Octokit.Webhooks.Events.Release;

namespace Orchestrator.GitHub;

/// <summary>
/// Octokit's event processor over a verified body: records a release delivery for <see cref="DeliveryProcessor"/>
/// (answering fast: nothing here calls GitHub), and a ping as done. A redelivery hits the primary key and records
/// nothing. Other events are not ours and are not kept.
/// </summary>
public sealed class DeliveryRecorder(NpgsqlDataSource dataSource, DeliveryProcessor processor, TimeProvider time) : WebhookEventProcessor
{
    /// <summary>Records the delivery, if new, and wakes this instance's processor for it.</summary>
    public async Task RecordAsync(IDictionary<string, Microsoft.Extensions.Primitives.StringValues> headers, ReadOnlyMemory<byte> body, CancellationToken cancellationToken)
    {
        await ProcessWebhookAsync(headers, body, cancellationToken);
        processor.Pulse();
    }

    protected override async ValueTask ProcessReleaseWebhookAsync(WebhookHeaders headers, ReleaseEvent releaseEvent, ReleaseAction action, CancellationToken cancellationToken = default)
    {
        var delivery = new ReleaseDelivery(headers.Delivery!, "release", releaseEvent.Action, releaseEvent.Repository?.FullName?.ToLowerInvariant(),
            releaseEvent.Release?.Id, releaseEvent.Release?.TagName, releaseEvent.Release?.Prerelease ?? false, releaseEvent.Installation?.Id);
        await InsertAsync(delivery, done: null, cancellationToken);
    }

    protected override ValueTask ProcessPingWebhookAsync(WebhookHeaders headers, PingEvent pingEvent, CancellationToken cancellationToken = default) =>
        InsertAsync(new ReleaseDelivery(headers.Delivery!, "ping", null, pingEvent.Repository?.FullName?.ToLowerInvariant(), null, null, false, pingEvent.Installation?.Id),
            done: "ping: the webhook reaches this orchestrator", cancellationToken);

    private async ValueTask InsertAsync(ReleaseDelivery d, string? done, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition("""
            INSERT INTO github_deliveries (delivery_id, event, action, repository, release_id, tag, prerelease, installation_id, received_at,
                                           outcome, detail, processed_at)
            VALUES (@DeliveryId, @Event, @Action, @Repository, @ReleaseId, @Tag, @Prerelease, @InstallationId, @now,
                    CASE WHEN @done IS NOT NULL THEN 'ignored' END, @done, CASE WHEN @done IS NOT NULL THEN @now END)
            ON CONFLICT (delivery_id) DO NOTHING
            """, new { d.DeliveryId, d.Event, d.Action, d.Repository, d.ReleaseId, d.Tag, d.Prerelease, d.InstallationId, now, done },
            cancellationToken: cancellationToken));
    }
}
