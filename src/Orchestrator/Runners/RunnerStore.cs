using Contracts.Protocol;
using Dapper;
using Microsoft.Extensions.Options;
using Orchestrator.Auth;
using Orchestrator.Dispatch;
using Orchestrator.Persistence;

namespace Orchestrator.Runners;

public sealed class RunnerStore(Database database, TokenStore tokens, TimeProvider time, IOptions<DispatchOptions> options)
{
    /// <summary>Consumes the registration token and issues the runner's own, in one transaction: a registration token
    /// registers exactly one runner even when two use it at once. Null when it was already used.</summary>
    public Task<RegisterRunnerResponse?> RegisterAsync(Guid registrationTokenId, RegisterRunnerRequest request, CancellationToken cancellationToken) =>
        database.InTransactionAsync(async (connection, transaction) =>
        {
            if (!await tokens.ConsumeAsync(connection, transaction, registrationTokenId, cancellationToken)) return null;
            var runnerId = Guid.NewGuid();
            var now = time.GetUtcNow();
            await connection.ExecuteAsync(new CommandDefinition("""
                INSERT INTO runners (id, name, labels, created_at, last_seen_at) VALUES (@runnerId, @Name, @labels, @now, @now)
                """, new { runnerId, request.Name, labels = request.Labels.Distinct(StringComparer.Ordinal).ToArray(), now }, transaction, cancellationToken: cancellationToken));
            var token = await tokens.CreateAsync(connection, transaction, TokenKinds.Runner, request.Name, runnerId, cancellationToken);
            return (RegisterRunnerResponse?)new RegisterRunnerResponse(runnerId, token);
        }, cancellationToken);

    public async Task<IReadOnlyList<RunnerDto>> ListAsync(CancellationToken cancellationToken)
    {
        await using var connection = await database.DataSource.OpenConnectionAsync(cancellationToken);
        var rows = await connection.QueryAsync<Row>(new CommandDefinition("""
            SELECT r.id AS Id, r.name AS Name, r.labels AS Labels, r.last_seen_at AS LastSeenAt,
                   (SELECT s.id FROM steps s WHERE s.runner_id = r.id AND s.status = 'running' LIMIT 1) AS CurrentStepId
            FROM runners r WHERE r.removed_at IS NULL ORDER BY r.name, r.created_at
            """, cancellationToken: cancellationToken));
        // A polling runner touches last_seen at least once per long poll; one that missed a few is offline.
        var horizon = time.GetUtcNow().AddSeconds(-(options.Value.MaxClaimWaitSeconds + (2 * options.Value.LeaseSeconds)));
        return rows.Select(r =>
        {
            var lastSeen = new DateTimeOffset(DateTime.SpecifyKind(r.LastSeenAt, DateTimeKind.Utc));
            var status = r.CurrentStepId is not null ? "busy" : lastSeen >= horizon ? "idle" : "offline";
            return new RunnerDto(r.Id, r.Name, r.Labels, status, lastSeen, r.CurrentStepId);
        }).ToList();
    }

    /// <summary>Its token stops working at once, on every instance; a step it holds keeps its lease until that expires.</summary>
    public async Task<bool> RemoveAsync(Guid runnerId, CancellationToken cancellationToken)
    {
        var removed = await database.InTransactionAsync(async (connection, transaction) =>
        {
            var changed = await connection.ExecuteAsync(new CommandDefinition(
                "UPDATE runners SET removed_at = @now WHERE id = @runnerId AND removed_at IS NULL",
                new { runnerId, now = time.GetUtcNow() }, transaction, cancellationToken: cancellationToken)) == 1;
            if (changed) await TokenStore.NotifyChangedAsync(connection, transaction, cancellationToken);
            return changed;
        }, cancellationToken);
        if (removed) tokens.Forget();
        return removed;
    }

    private sealed record Row
    {
        public Guid Id { get; init; }
        public string Name { get; init; } = "";
        public string[] Labels { get; init; } = [];
        public DateTime LastSeenAt { get; init; }
        public Guid? CurrentStepId { get; init; }
    }
}
