using Orchestrator.Cli;

namespace EndToEnd.Tests.Cli;

/// <summary>The command line as System.CommandLine parses it (no server involved): what the hand-written parser did
/// (flags, --name=value, aliases, --, refusals) still holds, and every wrong command line exits 2 with a message.</summary>
public sealed class CommandLineTests
{
    private static readonly CliContext Quiet = new(TextWriter.Null, TextWriter.Null, TextReader.Null, false, TimeProvider.System, CancellationToken.None);

    [Fact]
    public void Parse_FlagsAliasesAndEqualsValues_AreRead()
    {
        var parse = CommandTree.Build(Quiet).Parse(["runs", "list", "-e", "prod", "--status=running", "--limit", "5", "--json"]);

        Assert.Empty(parse.Errors);
        Assert.Equal("prod", parse.GetValue<string>("--environment"));
        Assert.Equal("running", parse.GetValue<string>("--status"));
        Assert.Equal(5, parse.GetValue<int?>("--limit"));
        Assert.Equal(OutputFormat.Json, OutputFormat.Of(parse));
    }

    [Theory]
    [InlineData(new[] { "runs", "list" }, OutputFormat.Table)]
    [InlineData(new[] { "runs", "list", "--output", "yaml" }, OutputFormat.Yaml)]
    [InlineData(new[] { "runs", "list", "-o", "json" }, OutputFormat.Json)]
    [InlineData(new[] { "environments", "list", "--json", "--output", "json" }, OutputFormat.Json)]
    public void Output_JsonIsAnAliasOfOutputJson(string[] args, string expected)
    {
        var parse = CommandTree.Build(Quiet).Parse(args);

        Assert.Empty(parse.Errors);
        Assert.Equal(expected, OutputFormat.Of(parse));
    }

    [Fact]
    public void Parse_AfterDoubleDash_EverythingIsAnArgument()
    {
        var parse = CommandTree.Build(Quiet).Parse(["generate", "-e", "local", "--", "--not-a-flag"]);

        Assert.Empty(parse.Errors);
        Assert.Equal(["--not-a-flag"], parse.GetValue<string[]>("PROMPT")!);
    }

    [Theory]
    [InlineData("must be a positive whole number, not 'none'", "runs", "list", "--limit", "none")]
    [InlineData("must be a positive whole number, not '0'", "webhooks", "deliveries", "--limit", "0")]
    [InlineData("'bogus'", "runs", "bogus")]
    [InlineData("--bogus", "runs", "list", "--bogus")]
    [InlineData("needs a subcommand: list, show, watch, logs, cancel, retry, approve", "runs")]
    [InlineData("is not a run id", "runs", "watch", "not-a-run-id")]
    [InlineData("--target", "environments", "create", "staging")]
    [InlineData("moon", "environments", "create", "staging", "--target", "moon")]
    [InlineData("add --yes to confirm", "environments", "delete", "staging")]
    [InlineData("add --yes to confirm", "environments", "teardown", "staging")]
    [InlineData("xml", "environments", "list", "--output", "xml")]
    [InlineData("--json and --output yaml", "runs", "list", "--json", "--output", "yaml")]
    [InlineData("cannot be combined", "apply", "-f", "-", "--follow", "--json")]
    [InlineData("fish", "completion", "powershell")]
    [InlineData("missing the prompt", "generate", "-e", "local")]
    public async Task Cli_WrongCommandLine_ExitsTwoSayingWhatIsWrongAndWhereTheUsageIs(string message, params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();

        var code = await CliApp.RunAsync([.. args, "--server", "http://127.0.0.1:1", "--token", "t"],
            new CliContext(output, error, new StringReader("environment: local\n"), false, TimeProvider.System, CancellationToken.None));

        Assert.True(code == 2, error.ToString());
        Assert.StartsWith("error: ", error.ToString(), StringComparison.Ordinal);
        Assert.Contains(message, error.ToString(), StringComparison.Ordinal);
        Assert.Contains("--help` for usage", error.ToString(), StringComparison.Ordinal);
        Assert.Empty(output.ToString());
    }

    [Fact]
    public async Task Help_ListsEveryVerbAndExitsZero()
    {
        using var output = new StringWriter();

        var code = await CliApp.RunAsync(["--help"], new CliContext(output, TextWriter.Null, TextReader.Null, false, TimeProvider.System, CancellationToken.None));

        Assert.Equal(0, code);
        foreach (var verb in new[] { "login", "status", "apply", "plan", "runs", "rollouts", "environments", "runners", "schedules", "webhooks", "secrets", "generate", "completion" })
            Assert.Matches($@"(?m)^\s+{verb}\b", output.ToString());
    }
}
