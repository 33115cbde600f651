using System.Text.Json.Nodes;
using Orchestrator.Cli;

namespace EndToEnd.Tests.Cli;

/// <summary><c>schedules …</c> and <c>environments extend</c> as far as the command line goes: no server involved.</summary>
public sealed class ScheduleArgsTests
{
    [Fact]
    public void CreateRequest_AllFlags_MakeTheApiBody()
    {
        var (parse, body) = CreateRequest(
            ["-e", "prod", "--cron", "0 0 22 ? * MON-FRI", "--time-zone", "Europe/Paris", "--start-at", "2030-01-01T00:00:00+01:00",
                "--end-at=2030-06-30T23:00:00Z", "--misfire", "fire-once", "--paused", "--action", "apply", "-f", "-", "--model-revision", "v2",
                "--description", "nightly", "--json"],
            new StringReader("model: {family: llama-3, size: tiny, source: 'hf://org/m@{revision}'}\n"));

        Assert.Equal(OutputFormat.Json, OutputFormat.Of(parse));
        Assert.Equal("prod", (string?)body["environment"]);
        Assert.Equal("0 0 22 ? * MON-FRI", (string?)body["cron"]);
        Assert.Equal("Europe/Paris", (string?)body["timeZone"]);
        Assert.Equal("2030-01-01T00:00:00.0000000+01:00", (string?)body["startAt"]);
        Assert.Equal("2030-06-30T23:00:00.0000000+00:00", (string?)body["endAt"]);
        Assert.Equal("fire-once", (string?)body["misfire"]);
        Assert.True((bool?)body["paused"]);
        Assert.Equal("apply", (string?)body["action"]);
        Assert.Equal("v2", (string?)body["modelRevision"]);
        Assert.Equal("nightly", (string?)body["description"]);
        Assert.Equal("hf://org/m@{revision}", (string?)body["spec"]!["model"]!["source"]);
    }

    [Fact]
    public void CreateRequest_OnlyRequiredFlags_LeavesTheRestToTheServersDefaults()
    {
        var (_, body) = CreateRequest(["--environment", "prod", "--cron", "0 0 6 * * ?", "--action", "reprovision"], new StringReader(""));

        Assert.Equal(["environment", "cron", "action"], body.Select(p => p.Key));
    }

    [Theory]
    [InlineData(new[] { "--cron", "0 0 6 * * ?", "--action", "teardown" }, "'--environment' is required")]
    [InlineData(new[] { "-e", "prod", "--action", "teardown" }, "'--cron' is required")]
    [InlineData(new[] { "-e", "prod", "--cron", "0 0 6 * * ?" }, "'--action' is required")]
    [InlineData(new[] { "-e", "prod", "--cron", "0 0 6 * * ?", "--action", "teardown", "extra" }, "'extra'")]
    [InlineData(new[] { "-e", "prod", "--cron", "0 0 6 * * ?", "--action", "teardown", "--every", "1h" }, "'--every'")]
    public void CreateRequest_BadFlags_AreParseErrorsNamingTheFlag(string[] raw, string message)
    {
        var parse = Parse(raw);

        Assert.Contains(parse.Errors, e => e.Message.Contains(message, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("2030-01-01")]
    [InlineData("2030-01-01T22:00:00")]
    [InlineData("tomorrow")]
    [InlineData("2030-13-01T22:00:00Z")]
    public void CreateRequest_StartAtWithoutAnOffset_IsUsageError(string value)
    {
        var error = Assert.Throws<UsageException>(() =>
            CreateRequest(["-e", "prod", "--cron", "0 0 6 * * ?", "--action", "teardown", "--start-at", value], new StringReader("")));
        Assert.StartsWith("--start-at must be an ISO 8601 time with its offset", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("schedules", "bogus")]
    [InlineData("schedules", "show")]
    [InlineData("schedules", "pause", "a", "b")]
    [InlineData("schedules", "create", "--environment", "prod")]
    [InlineData("environments", "extend", "prod")]
    [InlineData("environments", "extend", "prod", "4h", "more")]
    public async Task Cli_WrongCommandLine_ExitsTwoBeforeCallingAnyServer(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();

        var code = await CliApp.RunAsync([.. args, "--server", "http://127.0.0.1:1", "--token", "t"],
            new CliContext(output, error, new StringReader(""), false, TimeProvider.System, CancellationToken.None));

        Assert.Equal(2, code);
        Assert.StartsWith("error: ", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Describe_ZoneWithSummerTime_ShowsFireTimesInTheZoneWithUtcBeside()
    {
        var schedule = JsonNode.Parse("""
            {"id": "6f1c", "environment": "prod", "action": "teardown", "cron": "0 0 22 ? * MON-FRI", "timeZone": "Europe/Paris",
             "misfire": "skip", "paused": false, "createdAt": "2030-01-01T00:00:00Z", "createdBy": "ana",
             "nextFireTimes": ["2030-03-29T21:00:00Z", "2030-04-01T20:00:00Z"],
             "lastFires": [{"fireTime": "2030-03-28T21:00:00Z", "firedAt": "2030-03-28T21:00:00.2Z", "runId": null, "outcome": "the environment has no rollout"}]}
            """)!;

        var text = ScheduleCommands.Describe(schedule);

        Assert.Contains("time zone:      Europe/Paris\n", text, StringComparison.Ordinal);
        Assert.Contains("  2030-03-29 22:00:00+01:00 (21:00:00Z)\n", text, StringComparison.Ordinal);
        Assert.Contains("  2030-04-01 22:00:00+02:00 (20:00:00Z)\n", text, StringComparison.Ordinal);
        Assert.Contains("last fires:\nFIRE TIME", text, StringComparison.Ordinal);
        Assert.Contains("the environment has no rollout", text, StringComparison.Ordinal);
    }

    private static System.CommandLine.ParseResult Parse(string[] raw) =>
        CommandTree.Build(new CliContext(TextWriter.Null, TextWriter.Null, TextReader.Null, false, TimeProvider.System, CancellationToken.None))
            .Parse(["schedules", "create", .. raw]);

    private static (System.CommandLine.ParseResult Parse, JsonObject Body) CreateRequest(string[] raw, TextReader stdin)
    {
        var parse = Parse(raw);
        Assert.Empty(parse.Errors);
        return (parse, ScheduleCommands.CreateRequest(parse, stdin));
    }
}
