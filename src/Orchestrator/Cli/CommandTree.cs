using System.CommandLine;

namespace Orchestrator.Cli;

/// <summary>The client verbs as System.CommandLine commands, built per invocation around the CLI's context. The
/// service's own verbs (<c>serve</c>, <c>migrate</c>, and <c>tokens …</c> against a database) are dispatched before this, in Program.cs,
/// and are listed here only so that help and completions know them.</summary>
public static class CommandTree
{
    public static RootCommand Build(CliContext context)
    {
        var root = new RootCommand("""
            orchestrator: roll models out to environments (gke, kubernetes, local) and watch them.
            Client commands take --server/--token, else ORCHESTRATOR_URL/ORCHESTRATOR_TOKEN, else what `login` stored in
            $XDG_CONFIG_HOME/orchestrator/config.json. Exit codes: 0 ok, 1 the server refused or failed (or the followed run
            did not succeed), 2 usage error, 130 interrupted. Colours only on a terminal and never with NO_COLOR set.
            """);
        root.Add(ServerConnection.ServerOption());
        root.Add(ServerConnection.TokenOption());
        foreach (var service in ServiceVerbs()) root.Add(service);
        root.Add(LoginCommand.Build(context));
        root.Add(StatusCommand.Build(context));
        root.Add(RolloutCommands.Apply(context));
        root.Add(RolloutCommands.Plan(context));
        root.Add(RunsCommands.Build(context));
        root.Add(CanaryCommands.Build(context));
        root.Add(EnvironmentCommands.Build(context));
        root.Add(ListCommands.Runners(context));
        root.Add(ScheduleCommands.Build(context));
        root.Add(WebhookCommands.Build(context));
        root.Add(SecretCommands.Build(context));
        root.Add(GenerateCommand.Build(context));
        root.Add(TokenCommands.Build(context));
        root.Add(AuditCommand.Build(context));
        root.Add(CompletionCommand.Build(context));
        return root;
    }

    // Placeholders: Program.cs runs these before the client parser sees them.
    private static IEnumerable<Command> ServiceVerbs()
    {
        var serve = new Command("serve", "run the service (applies migrations first; --db or ORCHESTRATOR_DB)");
        serve.Add(new Option<string>("--urls") { Description = "where to listen, e.g. http://127.0.0.1:8080" });
        yield return serve;
        yield return new Command("migrate", "apply database migrations");
    }
}
