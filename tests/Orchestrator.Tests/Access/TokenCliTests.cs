using Orchestrator.Cli;
using Orchestrator.Tests.Infrastructure;

namespace Orchestrator.Tests.Access;

/// <summary><c>orchestrator tokens create|list|revoke</c> and <c>orchestrator audit</c> against the real service.</summary>
public sealed class TokenCliTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    [Fact]
    public async Task Cli_CreateListRevoke_AndAudit()
    {
        var admin = await fixture.Server.CreateTokenAsync(Orchestrator.Auth.TokenKinds.User, "cli-admin");
        string[] asAdmin = ["--server", fixture.Server.BaseAddress.ToString(), "--token", admin];

        var (code, output, error) = await RunAsync(["tokens", "create", "--name", "dash", "--role", "viewer", "--environments", "local", "--expires", "30d", .. asAdmin]);
        Assert.True(code == 0, error);
        var viewer = output.Trim();
        Assert.StartsWith("orch_u_", viewer, StringComparison.Ordinal);
        Assert.Contains("viewer, environments local, expires", error, StringComparison.Ordinal);
        string[] asViewer = ["--server", fixture.Server.BaseAddress.ToString(), "--token", viewer];

        (code, output, _) = await RunAsync(["status", .. asViewer]);
        Assert.Equal(0, code);
        (code, output, _) = await RunAsync(["tokens", "list", .. asAdmin]);
        Assert.Equal(0, code);
        Assert.DoesNotContain(viewer, output, StringComparison.Ordinal);
        var line = output.Split('\n').Single(l => l.Contains(" dash ", StringComparison.Ordinal));
        Assert.Contains("viewer", line, StringComparison.Ordinal);
        Assert.Contains("active", line, StringComparison.Ordinal);

        (code, _, error) = await RunAsync(["tokens", "list", .. asViewer]);
        Assert.Equal(1, code);
        Assert.Contains("'admin' role", error, StringComparison.Ordinal);

        (code, _, error) = await RunAsync(["tokens", "create", "--name", "norole", .. asAdmin]);
        Assert.Equal(2, code);
        Assert.Contains("--role", error, StringComparison.Ordinal);
        (code, _, error) = await RunAsync(["tokens", "create", "--name", "bad", "--role", "viewer", "--expires", "soon", .. asAdmin]);
        Assert.Equal(1, code);
        Assert.Contains("expiresIn", error, StringComparison.Ordinal);

        var id = (await fixture.Database.ScalarAsync<Guid>("SELECT id FROM api_tokens WHERE name = 'dash'")).ToString();
        (code, _, error) = await RunAsync(["tokens", "revoke", id, .. asAdmin]);
        Assert.Equal(2, code);
        Assert.Contains("--yes", error, StringComparison.Ordinal);
        (code, output, _) = await RunAsync(["tokens", "revoke", id, "--yes", .. asAdmin]);
        Assert.Equal(0, code);
        Assert.Contains("revoked", output, StringComparison.Ordinal);
        (code, _, error) = await RunAsync(["status", .. asViewer]);
        Assert.NotEqual(0, code);

        (code, output, _) = await RunAsync(["audit", "--since", "1h", "--actor", "cli-admin", .. asAdmin]);
        Assert.Equal(0, code);
        Assert.Contains("POST /api/tokens", output, StringComparison.Ordinal);
        Assert.Contains($"DELETE /api/tokens/{id}", output, StringComparison.Ordinal);
        (code, output, _) = await RunAsync(["audit", "--limit", "1", "-o", "yaml", .. asAdmin]);
        Assert.Equal(0, code);
        Assert.Contains("actor: ", output, StringComparison.Ordinal);
    }

    private static async Task<(int Code, string Out, string Error)> RunAsync(string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var code = await CliApp.RunAsync(args, new CliContext(output, error, new StringReader(""), false, TimeProvider.System, CancellationToken.None));
        return (code, output.ToString(), error.ToString());
    }
}
