using Contracts.Protocol;
using Dapper;
using Npgsql;

namespace Orchestrator.Health;

/// <summary>Events a watch's holder reports (an autoscaler's <c>scaled</c>), written to <c>environment_events</c> only
/// while the runner still holds the environment's watch with that token: an event from a runner that lost its lease is
/// dropped and its environment named stale, as a sample would be.</summary>
public sealed class WatchEvents(NpgsqlDataSource dataSource)
{
    public const int MaxPerBatch = 100;

    public static readonly IReadOnlyList<string> Kinds = [WatchEvent.Scaled];

    public async Task<ReportSamplesResponse> ReportAsync(Guid runnerId, IReadOnlyList<WatchEvent> events, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var accepted = 0;
        var stale = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var e in events)
        {
            var written = await connection.ExecuteAsync(new CommandDefinition("""
                INSERT INTO environment_events (environment, kind, at, details)
                SELECT w.environment, @Kind, @At, CAST(@Details AS jsonb) FROM health_watches w
                WHERE w.environment = @Environment AND w.runner_id = @runnerId AND w.watch_token = @WatchToken
                """, new { e.Environment, e.Kind, e.At, Details = e.Details.ToJsonString(), runnerId, e.WatchToken }, transaction,
                cancellationToken: cancellationToken));
            if (written == 0) stale.Add(e.Environment);
            accepted += written;
        }

        await transaction.CommitAsync(cancellationToken);
        return new ReportSamplesResponse { Accepted = accepted, Stale = [.. stale] };
    }
}
