using Orchestrator.Hosting;

// Both the service and its client, like HashiCorp's tools: `serve` (the default), `migrate` and, with a database and no
// server, `tokens create|list|revoke` run here against the database; every other verb is a client of a running service (Cli/).
return args switch
{
    [] => await ServeAsync([]),
    ["serve", .. var rest] => await ServeAsync(rest),
    ["migrate", .. var rest] => await AdminCommands.MigrateAsync(rest),
    ["tokens", "create", .. var rest] when AdminCommands.UsesDatabase(rest) => await AdminCommands.CreateTokenAsync(rest),
    ["tokens", "list", .. var rest] when AdminCommands.UsesDatabase(rest) => await AdminCommands.ListTokensAsync(rest),
    ["tokens", "revoke", .. var rest] when AdminCommands.UsesDatabase(rest) => await AdminCommands.RevokeTokenAsync(rest),
    _ => await Orchestrator.Cli.CliApp.RunAsync(args),
};

static async Task<int> ServeAsync(string[] args)
{
    var app = ServerHost.Build(ServerHost.CreateBuilder(args));
    await ServerHost.StartAsync(app, CancellationToken.None);
    await app.WaitForShutdownAsync();
    return 0;
}
