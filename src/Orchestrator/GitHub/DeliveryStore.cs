using Dapper;
using Npgsql;

namespace Orchestrator.GitHub;

/// <summary>Reads <c>github_deliveries</c> for the API.</summary>
public sealed class DeliveryStore(NpgsqlDataSource dataSource)
{
    public async Task<IReadOnlyList<DeliveryDto>> ListAsync(string? repository, int limit, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var rows = await connection.QueryAsync<Row>(new CommandDefinition("""
            SELECT delivery_id AS DeliveryId, event AS Event, action AS Action, repository AS Repository, release_id AS ReleaseId, tag AS Tag,
                   prerelease AS Prerelease, received_at AS ReceivedAt, processed_at AS ProcessedAt, outcome AS Outcome, detail AS Detail,
                   environment AS Environment, run_id AS RunId, attempts AS Attempts
            FROM github_deliveries
            WHERE @repository IS NULL OR repository = @repository
            ORDER BY received_at DESC, delivery_id
            LIMIT @limit
            """, new { repository = repository?.ToLowerInvariant(), limit }, cancellationToken: cancellationToken));
        return [.. rows.Select(r => r.ToDto())];
    }

    private sealed record Row
    {
        public string DeliveryId { get; init; } = "";
        public string Event { get; init; } = "";
        public string? Action { get; init; }
        public string? Repository { get; init; }
        public long? ReleaseId { get; init; }
        public string? Tag { get; init; }
        public bool Prerelease { get; init; }
        public DateTime ReceivedAt { get; init; }
        public DateTime? ProcessedAt { get; init; }
        public string? Outcome { get; init; }
        public string? Detail { get; init; }
        public string? Environment { get; init; }
        public Guid? RunId { get; init; }
        public int Attempts { get; init; }

        public DeliveryDto ToDto() => new()
        {
            DeliveryId = DeliveryId, Event = Event, Action = Action, Repository = Repository, ReleaseId = ReleaseId, Tag = Tag, Prerelease = Prerelease,
            ReceivedAt = Utc(ReceivedAt), ProcessedAt = ProcessedAt is { } p ? Utc(p) : null, Outcome = Outcome, Detail = Detail,
            Environment = Environment, RunId = RunId, Attempts = Attempts,
        };

        private static DateTimeOffset Utc(DateTime t) => new(DateTime.SpecifyKind(t, DateTimeKind.Utc));
    }
}
