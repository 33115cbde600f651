using Microsoft.Extensions.DependencyInjection;
using Orchestrator.Cli;
using Orchestrator.Tests.Infrastructure;

namespace Orchestrator.Tests.Secrets;

/// <summary><c>orchestrator secrets …</c> against the real service.</summary>
public sealed class SecretCliTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    private const string Value = "cli-secret-Value-0123456789";

    [Fact]
    public async Task SetListDelete_ValueFromStdinNeverPrinted()
    {
        var connection = await ConnectionAsync();

        var set = await RunAsync(["secrets", "set", "cli-token", .. connection], Value + "\n");
        var again = await RunAsync(["secrets", "set", "cli-token", .. connection], Value);
        var stored = fixture.Server.Services.GetRequiredService<Orchestrator.Secrets.SecretProtector>().Unprotect("cli-token",
            await fixture.Database.ScalarAsync<string>("SELECT protected_value FROM secrets WHERE name = 'cli-token'"));
        var table = await RunAsync(["secrets", "list", .. connection]);
        var yaml = await RunAsync(["secrets", "list", "-o", "yaml", .. connection]);
        var unconfirmed = await RunAsync(["secrets", "delete", "cli-token", .. connection]);
        var deleted = await RunAsync(["secrets", "delete", "cli-token", "--yes", .. connection]);

        Assert.Equal((0, "secret cli-token created: refer to it as secret://cli-token"), (set.Code, set.Out.Trim()));
        Assert.Equal((0, "secret cli-token replaced: refer to it as secret://cli-token"), (again.Code, again.Out.Trim()));
        Assert.Contains("secret://cli-token", table.Out, StringComparison.Ordinal);
        Assert.Contains("name: cli-token", yaml.Out, StringComparison.Ordinal);
        Assert.Equal(2, unconfirmed.Code);
        Assert.Contains("--yes", unconfirmed.Error, StringComparison.Ordinal);
        Assert.Equal(0, deleted.Code);
        Assert.Equal(0, await fixture.Database.ScalarAsync<long>("SELECT count(*) FROM secrets WHERE name = 'cli-token'"));
        Assert.DoesNotContain(Value, string.Concat(set.Out, set.Error, again.Out, table.Out, yaml.Out, unconfirmed.Error, deleted.Out), StringComparison.Ordinal);
        // The trailing line break was the shell's: the value is stored without it.
        Assert.Equal(Value, stored);
    }

    [Theory]
    [InlineData("", 2, "no value given")]
    [InlineData("\n", 2, "no value given")]
    public async Task Set_EmptyValue_RefusedWithoutACall(string stdin, int code, string message)
    {
        var result = await RunAsync(["secrets", "set", "empty", .. await ConnectionAsync()], stdin);

        Assert.Equal(code, result.Code);
        Assert.Contains(message, result.Error, StringComparison.Ordinal);
        Assert.Equal(0, await fixture.Database.ScalarAsync<long>("SELECT count(*) FROM secrets WHERE name = 'empty'"));
    }

    [Fact]
    public async Task Set_BadName_ServiceRefusesNamingTheField()
    {
        var result = await RunAsync(["secrets", "set", "Bad_Name", .. await ConnectionAsync()], Value);

        Assert.Equal(1, result.Code);
        Assert.Contains("name: Must be lowercase letters", result.Error, StringComparison.Ordinal);
        Assert.DoesNotContain(Value, result.Error + result.Out, StringComparison.Ordinal);
    }

    private async Task<string[]> ConnectionAsync() =>
        ["--server", fixture.Server.BaseAddress.ToString(), "--token", await fixture.Server.CreateTokenAsync(Auth.TokenKinds.User, "cli")];

    private static async Task<(int Code, string Out, string Error)> RunAsync(string[] args, string stdin = "")
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var code = await CliApp.RunAsync(args, new CliContext(output, error, new StringReader(stdin), false, TimeProvider.System, CancellationToken.None));
        return (code, output.ToString(), error.ToString());
    }
}
