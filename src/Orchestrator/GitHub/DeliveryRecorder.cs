using Octokit.Webhooks;
using Octokit.Webhooks.Events;
using Octokit.Webhooks.Events.Release;

namespace Orchestrator.GitHub;

/// <summary>
/// Octokit's event processor over a verified body: records a release delivery for <see cref="DeliveryProcessor"/>
/// (answering fast: nothing here calls GitHub; concurrent deliveries share a commit through <see cref="DeliveryWrites"/>),
/// and a ping as done. A redelivery hits the primary key and records
/// nothing. Other events are not ours and are not kept.
/// </summary>
public sealed class DeliveryRecorder(DeliveryWrites writes, DeliveryProcessor processor, TimeProvider time) : WebhookEventProcessor
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

    private async ValueTask InsertAsync(ReleaseDelivery delivery, string? done, CancellationToken cancellationToken) =>
        await writes.InsertAsync(delivery, done, time.GetUtcNow(), cancellationToken);
}
