using System.CommandLine;

namespace Orchestrator.Cli;

/// <summary><c>rollouts promote ENV [--full]</c> and <c>rollouts abort ENV</c>: decide an environment's paused canary.</summary>
public static class CanaryCommands
{
    public static Command Build(CliContext context)
    {
        var rollouts = new Command("rollouts", "decide an environment's paused canary: promote or abort");
        rollouts.Add(Options.Command("promote", "end the pause the environment's canary is in",
            Options.Arg("ENV", "the environment"), Options.Flag("--full", "skip the remaining canary steps and move all traffic")).WithOutput()
            .Does(context, (parse, ctx) => DecideAsync("promote", parse, ctx)));
        rollouts.Add(Options.Command("abort", "roll the paused canary back to the stable revision", Options.Arg("ENV", "the environment")).WithOutput()
            .Does(context, (parse, ctx) => DecideAsync("abort", parse, ctx)));
        return rollouts;
    }

    private static async Task<int> DecideAsync(string action, ParseResult parse, CliContext context)
    {
        var environment = parse.GetValue<string>("ENV")!;
        var query = action == "promote" && parse.GetValue<bool>("--full") ? "?full=true" : "";
        using var api = Options.Api(parse);
        var run = await api.PostAsync($"api/environments/{Uri.EscapeDataString(environment)}/{action}{query}", null, context.Cancellation);
        await RunsCommands.WriteRunAsync(parse, context, run);
        return 0;
    }
}
