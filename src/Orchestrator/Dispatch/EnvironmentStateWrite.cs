using System.Text.Json;
using System.Text.Json.Nodes;
using Contracts;
using Dapper;
using Npgsql;

namespace Orchestrator.Dispatch;

/// <summary>
/// A completion's <c>outputs.environment</c> is the environment's new <see cref="EnvironmentState"/>, whole: it replaces
/// the recorded state in the completion's transaction. One run is active per environment and its traffic steps run one
/// after another, each deriving its state from the one its claim carried, so a whole record never loses a change.
/// </summary>
public static class EnvironmentStateWrite
{
    public static async Task ReplaceAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string environment, JsonObject outputs, DateTimeOffset now, CancellationToken cancellationToken)
    {
        if (outputs[EnvironmentState.OutputMember] is not JsonObject reported) return;
        // Round-tripped through the record, so only its members are ever stored.
        var state = reported.Deserialize<EnvironmentState>(ContractJson.Options) ?? new EnvironmentState();
        await connection.ExecuteAsync(new CommandDefinition("""
            UPDATE environments SET state = CAST(@state AS jsonb), updated_at = @now WHERE name = @environment
            """, new { environment, state = JsonSerializer.Serialize(state, ContractJson.Options), now }, transaction, cancellationToken: cancellationToken));
    }

    public static EnvironmentState Parse(string json) =>
        JsonSerializer.Deserialize<EnvironmentState>(json, ContractJson.Options) ?? new EnvironmentState();
}
