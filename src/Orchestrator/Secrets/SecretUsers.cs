using Contracts.Specs;
using Dapper;
using Npgsql;

namespace Orchestrator.Secrets;

/// <summary>
/// Who still refers to a secret: an environment whose latest rollout names it (that is what a teardown, a reprovision
/// or a retry reads again), a queued or running run's rollout, an apply schedule's spec. Each is named for a person.
/// </summary>
public static class SecretUsers
{
    // The spec's huggingFaceToken under each target kind; a spec holds at most one target's settings.
    private const string Refers = """
        @reference IN (spec #>> '{target,local,huggingFaceToken}', spec #>> '{target,kubernetes,huggingFaceToken}', spec #>> '{target,gke,huggingFaceToken}')
        """;

    public static async Task<IReadOnlyList<string>> FindAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string name, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(connection);
        var users = await connection.QueryAsync<string>(new CommandDefinition($"""
            SELECT 'environment ' || environment FROM (
                SELECT DISTINCT ON (environment) environment, spec FROM rollouts ORDER BY environment, version DESC) latest
            WHERE {Refers}
            UNION
            SELECT 'environment ' || ro.environment FROM runs r JOIN rollouts ro ON ro.id = r.rollout_id
            WHERE r.status IN ('queued', 'running') AND {Refers.Replace("spec", "ro.spec", StringComparison.Ordinal)}
            UNION
            SELECT 'schedule ' || id || ' (environment ' || environment || ')' FROM schedules WHERE spec IS NOT NULL AND {Refers}
            UNION
            SELECT 'webhook binding ' || repository FROM github_bindings WHERE secret = @reference
            ORDER BY 1
            """, new { reference = SecretReference.For(name) }, transaction, cancellationToken: cancellationToken));
        return users.ToList();
    }
}
