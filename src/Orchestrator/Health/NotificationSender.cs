using System.Net.Http.Headers;
using System.Text;
using Dapper;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Orchestrator.Health;

/// <summary>
/// Sends the notification outbox: claims due deliveries (<c>FOR UPDATE SKIP LOCKED</c>, with a claim that outlives
/// one attempt, so two instances never send one delivery at once), POSTs each body signed with HMAC-SHA256, records
/// every attempt, and retries a failure (non-2xx, timeout, refused connection) with exponential backoff until
/// <see cref="NotificationOptions.MaxAttempts"/>. The event id header lets a receiver drop a repeat (a delivery
/// whose answer was lost is sent again: at least once).
/// </summary>
public sealed class NotificationSender(NpgsqlDataSource dataSource, IHttpClientFactory clients, IOptions<NotificationOptions> options, TimeProvider time,
    ILogger<NotificationSender> logger) : BackgroundService
{
    public const string ClientName = "notifications";
    private const int BatchSize = 20;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(options.Value.PollIntervalMilliseconds), time);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                while (await SendDueAsync(stoppingToken) == BatchSize) { }
            }
            catch (Exception e) when (e is NpgsqlException or TimeoutException && !stoppingToken.IsCancellationRequested)
            {
                logger.LogWarning("Notification pass failed, trying again: {Message}", e.Message);
            }
        }
    }

    /// <summary>Sends up to one batch of due deliveries; returns how many were attempted.</summary>
    public async Task<int> SendDueAsync(CancellationToken cancellationToken)
    {
        var o = options.Value;
        var now = time.GetUtcNow();
        List<Due> due;
        await using (var connection = await dataSource.OpenConnectionAsync(cancellationToken))
        {
            due = (await connection.QueryAsync<Due>(new CommandDefinition("""
                UPDATE notification_deliveries d SET claimed_until = @claimedUntil
                WHERE d.id IN (SELECT id FROM notification_deliveries
                               WHERE delivered_at IS NULL AND failed_at IS NULL AND next_attempt_at <= @now
                                 AND (claimed_until IS NULL OR claimed_until < @now)
                               ORDER BY next_attempt_at LIMIT @batch FOR UPDATE SKIP LOCKED)
                RETURNING d.id AS Id, d.event_id AS EventId, d.event_kind AS EventKind, d.url AS Url, d.payload::text AS Payload, d.attempts AS Attempts
                """, new { now, claimedUntil = now.AddSeconds(o.TimeoutSeconds * 2 + 5), batch = BatchSize }, cancellationToken: cancellationToken))).ToList();
        }
        await Task.WhenAll(due.Select(d => AttemptAsync(d, cancellationToken)));
        return due.Count;
    }

    private async Task AttemptAsync(Due delivery, CancellationToken cancellationToken)
    {
        var o = options.Value;
        int? statusCode = null;
        string? error = null;
        if (!o.HasKey)
        {
            error = "this orchestrator has no signing key (Notifications:SigningKeyFile): nothing is sent unsigned";
        }
        else
        {
            var body = Encoding.UTF8.GetBytes(delivery.Payload);
            using var request = new HttpRequestMessage(HttpMethod.Post, delivery.Url) { Content = new ByteArrayContent(body) };
            request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
            request.Headers.Add(NotificationSignature.Header, NotificationSignature.Sign(body, o.SigningKey!));
            request.Headers.Add(NotificationSignature.EventIdHeader, delivery.EventId.ToString());
            request.Headers.Add(NotificationSignature.EventHeader, delivery.EventKind);
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(TimeSpan.FromSeconds(o.TimeoutSeconds));
            try
            {
                using var response = await clients.CreateClient(ClientName).SendAsync(request, timeout.Token);
                statusCode = (int)response.StatusCode;
                if (!response.IsSuccessStatusCode) error = $"answered {statusCode}";
            }
            catch (HttpRequestException e)
            {
                error = e.Message;
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                error = $"no answer within {o.TimeoutSeconds} s";
            }
        }
        await RecordAsync(delivery, statusCode, error, cancellationToken);
    }

    private async Task RecordAsync(Due delivery, int? statusCode, string? error, CancellationToken cancellationToken)
    {
        var o = options.Value;
        var now = time.GetUtcNow();
        var attempts = delivery.Attempts + 1;
        var backoff = Math.Min(o.MaxBackoffSeconds, o.InitialBackoffSeconds * Math.Pow(2, attempts - 1)) * (0.8 + Random.Shared.NextDouble() * 0.4);
        var giveUp = error is not null && attempts >= o.MaxAttempts;
        if (error is not null)
            logger.LogWarning("Notification {EventId} to {Host}: attempt {Attempt} failed ({Error}){Then}", delivery.EventId, new Uri(delivery.Url).Authority, attempts, error,
                giveUp ? "; giving up" : $"; next in {backoff:0.#} s");
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition("""
            INSERT INTO notification_attempts (delivery_id, at, status_code, error) VALUES (@Id, @now, @statusCode, @error);
            UPDATE notification_deliveries SET attempts = @attempts, claimed_until = NULL, last_error = @error,
                delivered_at = CASE WHEN @error IS NULL THEN @now END,
                failed_at = CASE WHEN @giveUp THEN @now END,
                next_attempt_at = CASE WHEN @error IS NULL OR @giveUp THEN next_attempt_at ELSE @next END
            WHERE id = @Id
            """, new { delivery.Id, now, statusCode, error, attempts, giveUp, next = now.AddSeconds(backoff) }, cancellationToken: cancellationToken));
    }

    private sealed record Due
    {
        public Guid Id { get; init; }
        public Guid EventId { get; init; }
        public string EventKind { get; init; } = "";
        public string Url { get; init; } = "";
        public string Payload { get; init; } = "";
        public int Attempts { get; init; }
    }
}
