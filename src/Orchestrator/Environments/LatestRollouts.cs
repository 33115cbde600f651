using System.Text.Json;
using Contracts;
using Contracts.Specs;
using Dapper;
using Npgsql;
using Orchestrator.Rollouts;

namespace Orchestrator.Environments;

/// <summary>The specs that a teardown and a reprovision start from.</summary>
public static class LatestRollouts
{
    /// <summary>The environment's latest rollout of any kind: a teardown deletes what it describes.</summary>
    public static Task<RolloutSpec?> LatestAsync(NpgsqlConnection connection, string environment, CancellationToken cancellationToken) =>
        ReadAsync(connection, "SELECT spec::text FROM rollouts WHERE environment = @environment ORDER BY version DESC LIMIT 1", environment, cancellationToken);

    /// <summary>The spec of the environment's latest apply whose run succeeded.</summary>
    public static Task<RolloutSpec?> LastSucceededApplyAsync(NpgsqlConnection connection, string environment, CancellationToken cancellationToken) =>
        ReadAsync(connection, $"""
            SELECT ro.spec::text FROM rollouts ro JOIN runs r ON r.rollout_id = ro.id
            WHERE ro.environment = @environment AND ro.action = '{RolloutActions.Apply}' AND r.status = 'succeeded'
            ORDER BY ro.version DESC LIMIT 1
            """, environment, cancellationToken);

    private static async Task<RolloutSpec?> ReadAsync(NpgsqlConnection connection, string sql, string environment, CancellationToken cancellationToken)
    {
        var json = await connection.QuerySingleOrDefaultAsync<string?>(new CommandDefinition(sql, new { environment }, cancellationToken: cancellationToken));
        return json is null ? null : JsonSerializer.Deserialize<RolloutSpec>(json, ContractJson.Options);
    }
}
