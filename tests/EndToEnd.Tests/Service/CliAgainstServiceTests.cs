using System.Text.Json.Nodes;
using EndToEnd.Tests.Infrastructure;

namespace EndToEnd.Tests.Service;

/// <summary>The CLI as a user runs it, against the real service: exit codes, error output, stored login.</summary>
public sealed class CliAgainstServiceTests(ServiceFixture fixture) : IClassFixture<ServiceFixture>
{
    private TestStack Stack => fixture.Stack;

    [Fact]
    public async Task Apply_InvalidSpec_ExitsOneNamingTheFieldsAndWritesNothing()
    {
        var spec = WriteSpec("bad.yaml", "environment: local\nmodel: {family: llama-3, size: tiny, source: file:///m}\nengine: {batchSize: -1, colour: blue}\n");

        var result = await Stack.CliAsync("apply", "-f", spec);

        Assert.True(result.ExitCode == 1, result.ToString());
        Assert.StartsWith("error: ", result.Stderr, StringComparison.Ordinal);
        Assert.Contains("engine.", result.Stderr, StringComparison.Ordinal);
        var runs = await Stack.CliAsync("runs", "list", "--json");
        Assert.Equal(0, runs.ExitCode);
        Assert.Empty(JsonNode.Parse(runs.Stdout)!.AsArray());
    }

    [Fact]
    public async Task Apply_UnknownEnvironment_ExitsOne()
    {
        var spec = WriteSpec("elsewhere.yaml", "environment: nowhere\nmodel: {family: llama-3, size: tiny, source: file:///m}\n");

        var result = await Stack.CliAsync("apply", "-f", spec);

        Assert.True(result.ExitCode == 1, result.ToString());
        Assert.StartsWith("error: ", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Plan_LocalRollout_ListsTheLocalStepsAndWritesNothing()
    {
        var spec = WriteSpec("plan.yaml", "environment: local\nmodel: {family: llama-3, size: tiny, source: file:///m}\n");

        var json = await Stack.CliAsync("plan", "-f", spec, "--json");
        var human = await Stack.CliAsync("plan", "-f", spec);

        Assert.True(json.ExitCode == 0, json.ToString());
        var names = JsonNode.Parse(json.Stdout)!["steps"]!.AsArray().Select(s => (string?)s!["name"]).ToList();
        Assert.Equal(["checkpoint.convert", "engine.deploy", "traffic.shift", "revision.promote", "cleanup"], names);
        Assert.Equal(0, human.ExitCode);
        Assert.Contains("STEP", human.Stdout, StringComparison.Ordinal);
        Assert.Contains("revision.promote", human.Stdout, StringComparison.Ordinal);
        Assert.Empty(JsonNode.Parse((await Stack.CliAsync("runs", "list", "--json")).Stdout)!.AsArray());
    }

    [Fact]
    public async Task Login_ValidToken_StoresItPrivatelyAndLaterCommandsUseIt()
    {
        var config = Directory.CreateTempSubdirectory("cli-config-").FullName;
        try
        {
            var env = new Dictionary<string, string?>
            {
                ["XDG_CONFIG_HOME"] = config, ["XDG_DATA_HOME"] = Path.Combine(config, "data"), ["ORCHESTRATOR_URL"] = null, ["ORCHESTRATOR_TOKEN"] = null,
            };

            var login = await TestStack.CliRawAsync(env, Stack.UserToken + "\n", "login", "--server", Stack.Server.ToString());
            var list = await TestStack.CliRawAsync(env, null, "environments", "list", "--json");

            Assert.True(login.ExitCode == 0, login.ToString());
            var file = Path.Combine(config, "orchestrator", "config.json");
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(file));
            Assert.DoesNotContain(Stack.UserToken, await File.ReadAllTextAsync(file), StringComparison.Ordinal);
            Assert.True(Directory.Exists(Path.Combine(config, "data", "orchestrator", "keys")));
            Assert.True(list.ExitCode == 0, list.ToString());
            Assert.Contains(JsonNode.Parse(list.Stdout)!.AsArray(), e => (string?)e!["name"] == "local");
        }
        finally
        {
            Directory.Delete(config, recursive: true);
        }
    }

    [Fact]
    public async Task Login_WrongToken_ExitsOneAndStoresNothing()
    {
        var config = Directory.CreateTempSubdirectory("cli-config-").FullName;
        try
        {
            var env = new Dictionary<string, string?> { ["XDG_CONFIG_HOME"] = config, ["XDG_DATA_HOME"] = Path.Combine(config, "data") };

            var login = await TestStack.CliRawAsync(env, null, "login", "--server", Stack.Server.ToString(), "--token", "orch_u_not-a-real-token");

            Assert.True(login.ExitCode == 1, login.ToString());
            Assert.StartsWith("error: ", login.Stderr, StringComparison.Ordinal);
            Assert.False(File.Exists(Path.Combine(config, "orchestrator", "config.json")));
        }
        finally
        {
            Directory.Delete(config, recursive: true);
        }
    }

    [Fact]
    public async Task AnyCommand_ServerUnreachable_ExitsOneNamingTheUrl()
    {
        var url = $"http://127.0.0.1:{FreePort.Next()}";

        var result = await Stack.CliAsync("runs", "list", "--server", url);

        Assert.Equal(1, result.ExitCode);
        Assert.Contains(url, result.Stderr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("runs")]
    [InlineData("runs", "show")]
    [InlineData("apply")]
    [InlineData("bogus")]
    [InlineData("generate", "--environment", "local")]
    [InlineData("runs", "list", "--limit", "none")]
    [InlineData("runs", "show", "not-a-run-id")]
    public async Task BadCommandLine_ExitsTwo(params string[] args)
    {
        var result = await Stack.CliAsync(args);

        Assert.True(result.ExitCode == 2, result.ToString());
        Assert.StartsWith("error: ", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunsShow_UnknownRun_ExitsOne()
    {
        var result = await Stack.CliAsync("runs", "show", Guid.NewGuid().ToString());

        Assert.True(result.ExitCode == 1, result.ToString());
        Assert.StartsWith("error: ", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Generate_EnvironmentServesNothingYet_ExitsOneSayingSo()
    {
        var result = await Stack.CliAsync("generate", "--environment", "local", "Hello");

        Assert.True(result.ExitCode == 1, result.ToString());
        Assert.StartsWith("error: ", result.Stderr, StringComparison.Ordinal);
        Assert.Empty(result.Stdout);
    }

    [Fact]
    public async Task Lists_Human_ShowHeadersAndTheSeededEnvironment()
    {
        var environments = await Stack.CliAsync("environments", "list");
        var runners = await Stack.CliAsync("runners", "list");

        Assert.True(environments.ExitCode == 0, environments.ToString());
        Assert.Matches(@"(?m)^NAME\s+TARGET\s+STABLE.*\n^local\s+local\s", environments.Stdout);
        Assert.True(runners.ExitCode == 0, runners.ToString());
        Assert.StartsWith("ID  NAME  LABELS", runners.Stdout, StringComparison.Ordinal);
    }

    private string WriteSpec(string name, string yaml)
    {
        var path = Path.Combine(Stack.Dir, name);
        File.WriteAllText(path, yaml);
        return path;
    }
}
