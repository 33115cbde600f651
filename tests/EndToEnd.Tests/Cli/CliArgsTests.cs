using Orchestrator.Cli;

namespace EndToEnd.Tests.Cli;

public sealed class CliArgsTests
{
    [Fact]
    public void Parse_FlagsSwitchesAndPositionals_AreSeparated()
    {
        var args = CliArgs.Parse(["-f", "r.yaml", "--follow", "--environment=prod", "extra"], ["file", "environment"], ["follow"]);

        Assert.Equal("r.yaml", args.Value("file"));
        Assert.Equal("prod", args.Value("environment"));
        Assert.True(args.Has("follow"));
        Assert.False(args.Has("json"));
        Assert.Equal(["extra"], args.Positionals);
    }

    [Theory]
    [InlineData(new[] { "--bogus" }, "unknown flag --bogus")]
    [InlineData(new[] { "--file" }, "--file needs a value")]
    [InlineData(new[] { "--follow=yes" }, "--follow takes no value")]
    public void Parse_BadFlags_AreUsageErrors(string[] raw, string message)
    {
        var error = Assert.Throws<UsageException>(() => CliArgs.Parse(raw, ["file"], ["follow"]));
        Assert.Equal(message, error.Message);
    }

    [Theory]
    [InlineData("0")]
    [InlineData("-3")]
    [InlineData("ten")]
    public void PositiveInt_NotAPositiveNumber_IsUsageError(string value)
    {
        var args = CliArgs.Parse(["--max-tokens", value], ["max-tokens"], []);
        Assert.Throws<UsageException>(() => args.PositiveInt("max-tokens"));
    }

    [Fact]
    public void Parse_AfterDoubleDash_EverythingIsPositional()
    {
        var args = CliArgs.Parse(["--", "--not-a-flag"], [], []);
        Assert.Equal(["--not-a-flag"], args.Positionals);
    }
}
