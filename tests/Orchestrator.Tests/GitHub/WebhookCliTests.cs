using Orchestrator.Cli;

namespace Orchestrator.Tests.GitHub;

/// <summary><c>orchestrator webhooks …</c> against the real service.</summary>
public sealed class WebhookCliTests
{
    [Fact]
    public async Task Cli_BindingsCreateListDelete_AndDeliveries()
    {
        await using var h = await GitHubHarness.StartAsync();
        var token = await h.Inner.Server.CreateTokenAsync(Auth.TokenKinds.User, "cli");
        string[] connection = ["--server", h.Inner.Server.BaseAddress.ToString(), "--token", token];

        var (code, output, _) = await RunAsync(["webhooks", "bindings", "create", "Codertocat/Hello-World", "--prod", "prod", "--on-removed", "rollback", .. connection]);
        Assert.Equal(0, code);
        Assert.Contains("codertocat/hello-world releases -> prod prod", output, StringComparison.Ordinal);
        (code, output, _) = await RunAsync(["webhooks", "bindings", "list", .. connection]);
        Assert.Equal(0, code);
        Assert.Contains("published,released,prereleased", output.Replace(", ", ",", StringComparison.Ordinal), StringComparison.Ordinal);
        var deliveryId = Guid.NewGuid().ToString();
        using (await h.DeliverAsync(GitHubFixtures.Payload("ping.payload.json"), "ping", deliveryId)) { }
        await h.ProcessedAsync(deliveryId);
        (code, output, _) = await RunAsync(["webhooks", "deliveries", .. connection]);
        Assert.Equal(0, code);
        Assert.Contains(deliveryId, output, StringComparison.Ordinal);
        var id = (await h.Database.ScalarAsync<Guid>("SELECT id FROM github_bindings")).ToString();
        (code, _, _) = await RunAsync(["webhooks", "bindings", "delete", id, .. connection]);
        Assert.Equal(0, code);
        (code, _, var error) = await RunAsync(["webhooks", "bindings", "create", "Codertocat/Hello-World", "--prod", "nowhere", .. connection]);
        Assert.Equal(1, code);
        Assert.Contains("prodEnvironment", error, StringComparison.Ordinal);
    }

    private static async Task<(int Code, string Out, string Error)> RunAsync(string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var code = await CliApp.RunAsync(args, new CliContext(output, error, new StringReader(""), false, TimeProvider.System, CancellationToken.None));
        return (code, output.ToString(), error.ToString());
    }
}
