// Both the service and its client, like HashiCorp's tools: `serve` and `migrate` and `tokens create` run here against
// the database; every other verb is a client of a running service (Cli/).
return args switch
{
    _ => await Orchestrator.Cli.CliApp.RunAsync(args),
};
