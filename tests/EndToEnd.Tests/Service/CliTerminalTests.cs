using System.Text.Json.Nodes;
using EndToEnd.Tests.Infrastructure;
using YamlDotNet.RepresentationModel;

namespace EndToEnd.Tests.Service;

/// <summary>The CLI's newer verbs and its terminal behaviour against the real service: environments create, update and
/// delete, <c>runs watch</c> under a pseudo-terminal (<c>script</c>), <c>--output yaml</c>, <c>NO_COLOR</c>, completions and
/// <c>status</c>. Each test makes its own environments, so none depends on another.</summary>
public sealed class CliTerminalTests(ServiceFixture fixture) : IClassFixture<ServiceFixture>
{
    private const string Escape = "\u001b[";
    private TestStack Stack => fixture.Stack;

    [Fact]
    public async Task EnvironmentsCreate_NewName_CreatesItAndRefusesToCreateItAgain()
    {
        var created = await Stack.CliAsync("environments", "create", "staging-a", "--target", "kubernetes", "--approval", "required", "--health-interval", "45s");
        var again = await Stack.CliAsync("environments", "create", "staging-a", "--target", "local");
        var shown = await Stack.CliAsync("environments", "show", "staging-a", "--json");

        Assert.True(created.ExitCode == 0, created.ToString());
        Assert.StartsWith("environment staging-a created: target kubernetes, probed every 45s, runs wait for approval", created.Stdout, StringComparison.Ordinal);
        Assert.True(again.ExitCode == 1, again.ToString());
        Assert.Contains("already exists", again.Stderr, StringComparison.Ordinal);
        Assert.Contains("orchestrator environments update staging-a", again.Stderr, StringComparison.Ordinal);
        var environment = JsonNode.Parse(shown.Stdout)!;
        Assert.Equal("kubernetes", (string?)environment["targetKind"]);
        Assert.True((bool?)environment["approval"]!["required"]);
        Assert.Equal("45s", (string?)environment["health"]!["interval"]);
    }

    [Fact]
    public async Task EnvironmentsUpdate_OneSetting_KeepsTheOthers()
    {
        Assert.Equal(0, (await Stack.CliAsync("environments", "create", "staging-b", "--target", "kubernetes", "--health-interval", "45s")).ExitCode);

        var updated = await Stack.CliAsync("environments", "update", "staging-b", "--approval", "required", "-o", "json");
        var missing = await Stack.CliAsync("environments", "update", "nowhere", "--approval", "required");

        Assert.True(updated.ExitCode == 0, updated.ToString());
        var environment = JsonNode.Parse(updated.Stdout)!;
        Assert.Equal("kubernetes", (string?)environment["targetKind"]);
        Assert.Equal("45s", (string?)environment["health"]!["interval"]);
        Assert.True((bool?)environment["approval"]!["required"]);
        Assert.True(missing.ExitCode == 1, missing.ToString());
        Assert.StartsWith("error: ", missing.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task EnvironmentsDelete_RefusedWhileARunIsUnfinished_ThenForgetsItAndItsHistory()
    {
        Assert.Equal(0, (await Stack.CliAsync("environments", "create", "doomed", "--target", "local")).ExitCode);
        var runId = await ApplyAsync("doomed");

        var refused = await Stack.CliAsync("environments", "delete", "doomed", "--yes");
        Assert.Equal(0, (await Stack.CliAsync("runs", "cancel", runId)).ExitCode);
        await Stack.WaitForRunAsync(runId, r => (string?)r["status"] == "cancelled", TimeSpan.FromSeconds(30), "run cancelled");
        var deleted = await Stack.CliAsync("environments", "delete", "doomed", "--yes");
        var shown = await Stack.CliAsync("environments", "show", "doomed");
        var run = await Stack.CliAsync("runs", "show", runId);

        Assert.True(refused.ExitCode == 1, refused.ToString());
        Assert.Contains("queued or running run", refused.Stderr, StringComparison.Ordinal);
        Assert.Contains("orchestrator runs cancel", refused.Stderr, StringComparison.Ordinal);
        Assert.True(deleted.ExitCode == 0, deleted.ToString());
        Assert.Equal("environment doomed deleted\n", deleted.Stdout);
        Assert.Equal(1, shown.ExitCode);
        Assert.Equal(1, run.ExitCode);
    }

    [Fact]
    public async Task RunsWatch_UnderAPseudoTerminal_RedrawsTheStepTableUntilTheRunEnds()
    {
        Assert.Equal(0, (await Stack.CliAsync("environments", "create", "watched", "--target", "local")).ExitCode);
        var runId = await ApplyAsync("watched");

        var watch = PtyAsync(null, "runs", "watch", runId);
        await Task.Delay(TimeSpan.FromSeconds(4));
        Assert.False(watch.IsCompleted, watch.IsCompleted ? (await watch).ToString() : "");
        Assert.Equal(0, (await Stack.CliAsync("runs", "cancel", runId)).ExitCode);
        var result = await watch;

        // Not succeeded: the exit code of --follow. Spectre's live view hides the cursor and moves it back up to redraw.
        Assert.True(result.ExitCode == 1, result.ToString());
        Assert.Contains(Escape + "?25l", result.Stdout, StringComparison.Ordinal);
        Assert.Matches(@"\u001b\[\d*A", result.Stdout);
        Assert.Contains("╭", result.Stdout, StringComparison.Ordinal);
        var finalFrame = result.Stdout[result.Stdout.LastIndexOf("run " + runId, StringComparison.Ordinal)..];
        Assert.Contains("status cancelled", finalFrame, StringComparison.Ordinal);
        Assert.Contains("STEP", finalFrame, StringComparison.Ordinal);
        Assert.Contains("checkpoint.convert", finalFrame, StringComparison.Ordinal);
        Assert.Contains("cancelled", finalFrame[finalFrame.IndexOf("checkpoint.convert", StringComparison.Ordinal)..], StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunsWatch_NotATerminal_PrintsPlainLinesAndTheFinalTable()
    {
        Assert.Equal(0, (await Stack.CliAsync("environments", "create", "watched-plain", "--target", "local")).ExitCode);
        var runId = await ApplyAsync("watched-plain");

        var watch = Stack.CliAsync("runs", "watch", runId);
        await Task.Delay(TimeSpan.FromSeconds(3));
        Assert.Equal(0, (await Stack.CliAsync("runs", "cancel", runId)).ExitCode);
        var result = await watch;

        Assert.True(result.ExitCode == 1, result.ToString());
        Assert.DoesNotContain("\u001b", result.Stdout, StringComparison.Ordinal);
        Assert.Contains($"==> run {runId}: cancelled", result.Stdout, StringComparison.Ordinal);
        Assert.Matches(@"(?m)^checkpoint\.convert\s+checkpoint\.convert\s+cancelled", result.Stdout);
    }

    [Fact]
    public async Task OutputYaml_ParsesAsYamlWithTheJsonFields()
    {
        Assert.Equal(0, (await Stack.CliAsync("environments", "create", "yaml-env", "--target", "local")).ExitCode);

        var list = await Stack.CliAsync("environments", "list", "--output", "yaml");
        var one = await Stack.CliAsync("environments", "show", "yaml-env", "-o", "yaml");

        Assert.True(list.ExitCode == 0, list.ToString());
        var yaml = new YamlStream();
        yaml.Load(new StringReader(list.Stdout));
        var names = ((YamlSequenceNode)yaml.Documents[0].RootNode).Children.Select(e => ((YamlScalarNode)((YamlMappingNode)e)["name"]).Value).ToList();
        Assert.Contains("local", names);
        Assert.Contains("yaml-env", names);
        yaml.Load(new StringReader(one.Stdout));
        var environment = (YamlMappingNode)yaml.Documents[0].RootNode;
        Assert.Equal("local", ((YamlScalarNode)environment["targetKind"]).Value);
        Assert.IsType<YamlMappingNode>(environment["state"]);
    }

    [Fact]
    public async Task NoColor_UnderAPseudoTerminal_WritesNoEscapeSequence()
    {
        var coloured = await PtyAsync(null, "environments", "list");
        var plain = await PtyAsync(new Dictionary<string, string?> { ["NO_COLOR"] = "1" }, "environments", "list");

        Assert.True(coloured.ExitCode == 0, coloured.ToString());
        Assert.Contains(Escape, coloured.Stdout, StringComparison.Ordinal);
        Assert.True(plain.ExitCode == 0, plain.ToString());
        Assert.DoesNotContain("\u001b", plain.Stdout, StringComparison.Ordinal);
        Assert.Matches(@"(?m)^NAME\s+TARGET\s+STABLE.*\r?\n^local\s+local\s", plain.Stdout);
    }

    [Fact]
    public async Task Completion_BashScript_CallsTheSuggestDirectiveThatAnswersTheVerbs()
    {
        var script = await Stack.CliAsync("completion", "bash");
        var verbs = await Stack.CliAsync("[suggest:13]", "orchestrator ");
        var runs = await Stack.CliAsync("[suggest:21]", "orchestrator runs wat");
        var environments = await Stack.CliAsync("[suggest:26]", "orchestrator environments ");

        Assert.True(script.ExitCode == 0, script.ToString());
        Assert.Contains("complete -o default -F _orchestrator_complete orchestrator", script.Stdout, StringComparison.Ordinal);
        Assert.Contains("orchestrator \"[suggest:${COMP_POINT}]\" \"${COMP_LINE}\"", script.Stdout, StringComparison.Ordinal);
        var lines = verbs.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        foreach (var verb in new[] { "apply", "plan", "runs", "environments", "status", "completion", "schedules", "webhooks", "generate", "login" })
            Assert.Contains(verb, lines);
        Assert.Equal(["watch"], runs.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        Assert.Contains("create", environments.Stdout.Split('\n', StringSplitOptions.TrimEntries));
    }

    [Theory]
    [InlineData("zsh", "compdef _orchestrator orchestrator")]
    [InlineData("fish", "complete -c orchestrator -f -a '(__orchestrator_complete)'")]
    public async Task Completion_OtherShells_UseTheSameDirective(string shell, string registration)
    {
        var script = await Stack.CliAsync("completion", shell);

        Assert.True(script.ExitCode == 0, script.ToString());
        Assert.Contains(registration, script.Stdout, StringComparison.Ordinal);
        Assert.Contains("[suggest:", script.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Status_ReachableServer_SaysWhoRunnersAndEnvironments()
    {
        var human = await Stack.CliAsync("status");
        var json = await Stack.CliAsync("status", "--json");
        var unreachable = await Stack.CliAsync("status", "--server", $"http://127.0.0.1:{FreePort.Next()}");

        Assert.True(human.ExitCode == 0, human.ToString());
        Assert.Contains($"server:       {Stack.Server}", human.Stdout, StringComparison.Ordinal);
        Assert.Contains("reachable, ready", human.Stdout, StringComparison.Ordinal);
        Assert.Matches(@"signed in as: \S+ \(user token, admin\)", human.Stdout);
        Assert.Contains("runners:      0 online", human.Stdout, StringComparison.Ordinal);
        Assert.Matches(@"(?m)^ENVIRONMENT\s+TARGET\s+HEALTH", human.Stdout);
        var status = JsonNode.Parse(json.Stdout)!;
        Assert.Equal("user", (string?)status["user"]!["kind"]);
        Assert.Equal(0, (int?)status["runners"]!["online"]);
        Assert.Contains(status["environments"]!.AsArray(), e => (string?)e!["name"] == "local");
        Assert.Equal(1, unreachable.ExitCode);
        Assert.Contains("orchestrator status", unreachable.Stderr, StringComparison.Ordinal);
    }

    private async Task<string> ApplyAsync(string environment)
    {
        var spec = Path.Combine(Stack.Dir, $"{environment}.yaml");
        await File.WriteAllTextAsync(spec, $"environment: {environment}\nmodel: {{family: llama-3, size: tiny, source: file:///m}}\n");
        var apply = await Stack.CliAsync("apply", "-f", spec, "--json");
        Assert.True(apply.ExitCode == 0, apply.ToString());
        return (string)JsonNode.Parse(apply.Stdout)!["id"]!;
    }

    /// <summary>The real CLI with a pseudo-terminal as its stdout: <c>script -qfec CMD /dev/null</c>.</summary>
    private Task<CommandResult> PtyAsync(IReadOnlyDictionary<string, string?>? extra, params string[] args)
    {
        var environment = new Dictionary<string, string?>
        {
            ["ORCHESTRATOR_URL"] = Stack.Server.ToString(),
            ["ORCHESTRATOR_TOKEN"] = Stack.UserToken,
            ["XDG_CONFIG_HOME"] = Path.Combine(Stack.Dir, "config"),
            ["XDG_DATA_HOME"] = Path.Combine(Stack.Dir, "data"),
            ["TERM"] = "xterm-256color",
            ["NO_COLOR"] = null,
        };
        foreach (var (key, value) in extra ?? new Dictionary<string, string?>()) environment[key] = value;
        var line = string.Join(' ', new[] { "dotnet", RepoPaths.OrchestratorDll }.Concat(args).Select(a => "'" + a.Replace("'", "'\\''", StringComparison.Ordinal) + "'"));
        return Commands.RunAsync("/usr/bin/script", ["-qfec", line, "/dev/null"], environment, TimeSpan.FromMinutes(2));
    }
}
