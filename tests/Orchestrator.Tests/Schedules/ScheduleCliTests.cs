using System.Text.Json.Nodes;
using Orchestrator.Cli;
using Orchestrator.Tests.Infrastructure;

namespace Orchestrator.Tests.Schedules;

/// <summary><c>orchestrator schedules …</c> and <c>environments extend</c> against the real service and its Quartz.</summary>
public sealed class ScheduleCliTests : IAsyncLifetime
{
    private Harness _h = null!;
    private string[] _connection = [];

    public async Task InitializeAsync()
    {
        _h = await Harness.StartAsync();
        var token = await _h.Server.CreateTokenAsync(Auth.TokenKinds.User, "cli");
        _connection = ["--server", _h.Server.BaseAddress.ToString(), "--token", token];
    }

    public async Task DisposeAsync() => await _h.DisposeAsync();

    [Fact]
    public async Task Cli_SchedulesCreateListShowPauseResumeDelete()
    {
        var spec = Path.Combine(Path.GetTempPath(), $"schedule-{Guid.NewGuid():N}.yaml");
        await File.WriteAllTextAsync(spec, "model: {family: llama-3, size: tiny, source: 'file:///models/{revision}'}\n");
        try
        {
            var (code, output, error) = await RunAsync(["schedules", "create", "-e", "local", "--cron", "0 0 22 ? * MON-FRI", "--time-zone", "Europe/Paris",
                "--action", "apply", "-f", spec, "--model-revision", "v7", "--description", "nightly", "--json", .. _connection]);
            Assert.True(code == 0, error);
            var id = (string)JsonNode.Parse(output)!["id"]!;
            Assert.NotEmpty(JsonNode.Parse(output)!["nextFireTimes"]!.AsArray());

            (code, output, _) = await RunAsync(["schedules", "list", "--environment", "local", .. _connection]);
            Assert.Equal(0, code);
            Assert.Matches(@"(?m)^ID\s+ENVIRONMENT\s+ACTION\s+CRON\s+TIME ZONE\s+PAUSED\s+NEXT FIRE$", output);
            Assert.Matches($@"(?m)^{id}\s+local\s+apply\s+0 0 22 \? \* MON-FRI\s+Europe/Paris\s+no\s+\d{{4}}-\d\d-\d\d 22:00:00\+0[12]:00 ", output);

            (code, output, _) = await RunAsync(["schedules", "show", id, .. _connection]);
            Assert.Equal(0, code);
            Assert.Contains("model revision: v7", output, StringComparison.Ordinal);
            Assert.Contains("description:    nightly", output, StringComparison.Ordinal);
            Assert.Matches(@"next fire times:\n  \d{4}-\d\d-\d\d 22:00:00", output);
            Assert.Contains("last fires: none", output, StringComparison.Ordinal);

            (code, output, _) = await RunAsync(["schedules", "pause", id, .. _connection]);
            Assert.Equal(0, code);
            Assert.Equal($"schedule {id} paused\n", output);
            (code, output, _) = await RunAsync(["schedules", "show", id, .. _connection]);
            Assert.Contains("next fire times: none (paused)", output, StringComparison.Ordinal);

            (code, output, _) = await RunAsync(["schedules", "resume", id, .. _connection]);
            Assert.Equal(0, code);
            Assert.StartsWith($"schedule {id} resumed, next at ", output, StringComparison.Ordinal);

            (code, _, _) = await RunAsync(["schedules", "delete", id, .. _connection]);
            Assert.Equal(0, code);
            (code, _, error) = await RunAsync(["schedules", "show", id, .. _connection]);
            Assert.Equal(1, code);
            Assert.StartsWith("error: ", error, StringComparison.Ordinal);
            Assert.Empty(await _h.Database.QueryAsync<Guid>("SELECT id FROM schedules"));
        }
        finally
        {
            File.Delete(spec);
        }
    }

    [Theory]
    [InlineData("cron", "--cron", "0 0 25 * * ?", "--action", "teardown")]
    [InlineData("timeZone", "--cron", "0 0 6 * * ?", "--time-zone", "Mars/Olympus", "--action", "teardown")]
    [InlineData("action", "--cron", "0 0 6 * * ?", "--action", "rebuild")]
    [InlineData("spec", "--cron", "0 0 6 * * ?", "--action", "apply")]
    public async Task Cli_SchedulesCreateInvalid_ExitsOneNamingTheFieldAndWritesNothing(string field, params string[] flags)
    {
        var (code, output, error) = await RunAsync(["schedules", "create", "-e", "local", .. flags, .. _connection]);

        Assert.Equal(1, code);
        Assert.Empty(output);
        Assert.StartsWith("error: ", error, StringComparison.Ordinal);
        Assert.Contains($"  {field}: ", error, StringComparison.Ordinal);
        Assert.Empty(await _h.Database.QueryAsync<Guid>("SELECT id FROM schedules"));
    }

    [Fact]
    public async Task Cli_EnvironmentsExtend_MovesTheTeardownAndShowShowsIt()
    {
        var (code, _, error) = await RunAsync(["environments", "extend", "local", "4h", .. _connection]);
        Assert.Equal(1, code);
        Assert.Contains("no teardown scheduled", error, StringComparison.OrdinalIgnoreCase);

        var teardownAt = new DateTimeOffset(2099, 1, 1, 0, 0, 0, TimeSpan.Zero);
        await _h.Database.ExecuteAsync("UPDATE environments SET teardown_at = @teardownAt WHERE name = 'local'", new { teardownAt });
        (code, _, error) = await RunAsync(["environments", "extend", "local", "four hours", .. _connection]);
        Assert.Equal(1, code);
        Assert.Contains("  by: ", error, StringComparison.Ordinal);

        (code, var output, error) = await RunAsync(["environments", "extend", "local", "4h30m", .. _connection]);
        Assert.True(code == 0, error);
        Assert.StartsWith("local is torn down at 2099-01-01T04:30:00", output, StringComparison.Ordinal);
        (code, output, _) = await RunAsync(["environments", "show", "local", "--json", .. _connection]);
        Assert.Equal(0, code);
        Assert.Equal(teardownAt.AddHours(4.5), DateTimeOffset.Parse((string)JsonNode.Parse(output)!["teardownAt"]!, System.Globalization.CultureInfo.InvariantCulture));
        (code, output, _) = await RunAsync(["environments", "show", "local", .. _connection]);
        Assert.Contains("teardown: at 2099-01-01T04:30:00", output, StringComparison.Ordinal);
    }

    private static async Task<(int Code, string Out, string Error)> RunAsync(string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var code = await CliApp.RunAsync(args, new CliContext(output, error, new StringReader(""), false, TimeProvider.System, CancellationToken.None));
        return (code, output.ToString(), error.ToString());
    }
}
