using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.Playwright;
using Npgsql;

namespace EndToEnd.Tests.Dashboard;

/// <summary>The dashboard offers only the actions the signed-in token's role and environments allow: a failed run's
/// Retry and the environment's prompt for an operator (or admin) of that environment, neither for a viewer. (A token
/// limited to other environments cannot see the run or the environment at all.) The API refuses them anyway; these tests keep the buttons that would answer 403 off the
/// page. (Part of <see cref="DashboardTests"/> to share its stack.)</summary>
public sealed partial class DashboardTests
{
    [Theory]
    [InlineData("admin", null, true)]
    [InlineData("operator", "roles-a", true)]
    [InlineData("viewer", null, false)]
    [InlineData("viewer", "roles-a", false)]
    public async Task FailedRun_RetryAndPrompt_ShownOnlyToAnOperatorOfItsEnvironment(string role, string? scope, bool offered)
    {
        var environment = "roles-a";
        var runId = await SeedFailedRunAsync(environment);
        var token = await IssueAsync(role, scope);
        await using var session = await DashboardSession.OpenAsync(fixture.Browser, Stack.Server);
        await session.SignInAsync(token);
        var page = session.Page;

        await page.GotoAsync($"/ui/runs/{runId}");
        await Assertions.Expect(page.Locator("#app[data-status=failed]")).ToBeVisibleAsync(); // rendered with its actions
        var retry = page.Locator("#actions button[data-action=retry]");
        if (offered) await Assertions.Expect(retry).ToBeVisibleAsync();
        else Assert.Equal(0, await page.Locator("#actions button").CountAsync());

        await page.GotoAsync($"/ui/environments/{environment}");
        var send = page.GetByRole(AriaRole.Button, new() { Name = "Send" });
        if (offered) await Assertions.Expect(send).ToBeVisibleAsync();
        else
        {
            await Assertions.Expect(page.Locator("#prompt-refused")).ToBeVisibleAsync();
            Assert.Equal(0, await send.CountAsync());
        }
        await Assertions.Expect(page.Locator("header .who")).ToContainTextAsync($"({role})");
        session.AssertNoErrors();
    }

    private async Task<string> IssueAsync(string role, string? scope)
    {
        var body = new JsonObject { ["name"] = $"{role}-{Guid.NewGuid():N}"[..20], ["role"] = role };
        if (scope is not null) body["environments"] = new JsonArray(scope);
        using var response = await Stack.Api.PostAsJsonAsync("api/tokens", body);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Created, text);
        return JsonNode.Parse(text)!["value"]!.GetValue<string>();
    }

    /// <summary>A failed run of <paramref name="environment"/> (created with the environment on first use), written
    /// straight to the database: the page's choice of actions depends only on the run's status.</summary>
    private async Task<Guid> SeedFailedRunAsync(string environment)
    {
        await using var connection = new NpgsqlConnection(Stack.Database.ConnectionString);
        await connection.OpenAsync();
        var runId = Guid.NewGuid();
        await using var command = new NpgsqlCommand("""
            INSERT INTO environments (name, target_kind) VALUES (@env, 'local') ON CONFLICT (name) DO NOTHING;
            WITH rollout AS (
                INSERT INTO rollouts (id, environment, version, revision, spec, trigger_kind, trigger_actor, created_at)
                VALUES (@rollout, @env, (SELECT coalesce(max(version), 0) + 1 FROM rollouts WHERE environment = @env), 'r1', '{}'::jsonb, 'api', 'user:roles', now())
                RETURNING id)
            INSERT INTO runs (id, rollout_id, environment, status, queue_seq, trigger_kind, trigger_actor, created_at, started_at, finished_at)
            SELECT @run, id, @env, 'failed', nextval('run_queue_seq'), 'api', 'user:roles', now(), now(), now() FROM rollout;
            """, connection);
        command.Parameters.AddWithValue("env", environment);
        command.Parameters.AddWithValue("rollout", Guid.NewGuid());
        command.Parameters.AddWithValue("run", runId);
        await command.ExecuteNonQueryAsync();
        return runId;
    }
}
