using System.Net.Http.Json;
using System.Text.Json.Nodes;
using EndToEnd.Tests.Infrastructure;
using Npgsql;

namespace EndToEnd.Tests.Local;

/// <summary>Two <c>orchestrator serve</c> processes in one Quartz cluster: the one holding a schedule's next fire is
/// killed (SIGKILL), and the other fires it once its check-in lapses.</summary>
[Collection(EndToEndCollection.Name)]
public sealed class ScheduleFailoverTests
{
    private static readonly Dictionary<string, string> Cluster = new()
    {
        ["Scheduling__CheckinIntervalSeconds"] = "1",
        ["Scheduling__CheckinMisfireThresholdSeconds"] = "1",
        ["Scheduling__InstanceId"] = "a",
    };

    [Fact]
    public async Task InstanceKilledWhileHoldingTheTrigger_TheOtherFiresIt()
    {
        await using var stack = await TestStack.StartAsync(Cluster);
        var b = await stack.StartOrchestratorAsync(FreePort.Next(), new Dictionary<string, string> { ["Scheduling__InstanceId"] = "b" });
        var instances = new Dictionary<string, ManagedProcess> { ["a"] = stack.Orchestrator!, ["b"] = b };
        using var created = await stack.Api.PostAsJsonAsync("api/schedules", new
        {
            environment = "local", cron = "0/15 * * * * ?", action = "apply", misfire = "fire-once",
            spec = JsonNode.Parse("""{"model":{"family":"llama-3","size":"tiny","source":"file:///tmp/model"}}"""),
        });
        var body = await created.Content.ReadAsStringAsync();
        Assert.True(created.IsSuccessStatusCode, body);
        var id = (string)JsonNode.Parse(body)!["id"]!;

        // Quartz acquires a trigger up to its idle wait (30 s) before its fire time and holds it until then.
        var (holder, scheduled) = await HeldAsync(stack, id);
        await instances[holder].KillAsync();
        var survivor = holder == "a" ? "b" : "a";
        var fired = await FiredAtAsync(stack, id, scheduled);

        Assert.False(instances[survivor].HasExited, instances[survivor].Tail());
        Assert.Equal(1, await CountAsync(stack, "SELECT count(*) FROM runs WHERE trigger_details->>'scheduleId' = @id AND (trigger_details->>'fireTime')::timestamptz = @scheduled", id, scheduled));
        Assert.InRange(fired - scheduled, TimeSpan.FromSeconds(-1), TimeSpan.FromSeconds(20));
    }

    private static async Task<(string Holder, DateTimeOffset Scheduled)> HeldAsync(TestStack stack, string id)
    {
        (string, DateTimeOffset)? held = null;
        await Eventually.Async(async () =>
        {
            await using var connection = new NpgsqlConnection(stack.Database.ConnectionString);
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand(
                "SELECT instance_name, sched_time FROM qrtz_fired_triggers WHERE trigger_name = @id AND state = 'ACQUIRED'", connection);
            command.Parameters.AddWithValue("id", id);
            await using var reader = await command.ExecuteReaderAsync();
            if (await reader.ReadAsync()) held = (reader.GetString(0), new DateTimeOffset(reader.GetInt64(1), TimeSpan.Zero));
            return held is { } h && h.Item2 > DateTimeOffset.UtcNow.AddSeconds(2);
        }, TimeSpan.FromSeconds(40), () => "an instance to acquire the schedule's next fire with 2 s to go\n" + stack.Diagnostics());
        return held!.Value;
    }

    private static async Task<DateTimeOffset> FiredAtAsync(TestStack stack, string id, DateTimeOffset scheduled)
    {
        DateTimeOffset? at = null;
        await Eventually.Async(async () =>
        {
            await using var connection = new NpgsqlConnection(stack.Database.ConnectionString);
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand(
                "SELECT fired_at FROM schedule_fires WHERE schedule_id = @id::uuid AND fire_time = @scheduled AND run_id IS NOT NULL", connection);
            command.Parameters.AddWithValue("id", id);
            command.Parameters.AddWithValue("scheduled", scheduled);
            if (await command.ExecuteScalarAsync() is DateTime fired) at = new DateTimeOffset(DateTime.SpecifyKind(fired, DateTimeKind.Utc));
            return at is not null;
        }, TimeSpan.FromSeconds(45), () => $"the fire of {scheduled:o} by the surviving instance\n" + stack.Diagnostics());
        return at!.Value;
    }

    private static async Task<long> CountAsync(TestStack stack, string sql, string id, DateTimeOffset scheduled)
    {
        await using var connection = new NpgsqlConnection(stack.Database.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        command.Parameters.AddWithValue("id", id);
        command.Parameters.AddWithValue("scheduled", scheduled);
        return (long)(await command.ExecuteScalarAsync())!;
    }
}
