using System.CommandLine;

namespace Orchestrator.Cli;

/// <summary><c>secrets set NAME</c> (the value from stdin, never echoed), <c>secrets list</c>, <c>secrets delete NAME --yes</c>.
/// A spec refers to a stored secret as <c>secret://NAME</c>.</summary>
public static class SecretCommands
{
    public static Command Build(CliContext context)
    {
        var secrets = new Command("secrets", "values stored encrypted in the orchestrator; a spec names one as secret://NAME");
        secrets.Add(Options.Command("set", "create or replace a secret; the value is read from stdin (typed without echo on a terminal)",
            Name()).Does(context, SetAsync));
        secrets.Add(Options.Command("list", "the secrets' names and who set them when (never their values)").WithOutput().Does(context, ListAsync));
        secrets.Add(Options.Command("delete", "delete a secret (refused while a spec or webhook binding refers to it)",
            Name(), Options.Flag("--yes", "confirm")).Does(context, DeleteAsync));
        return secrets;
    }

    private static Argument<string> Name() => Options.Arg("NAME", "the secret's name: lowercase letters, digits, '-', '_', '.'");

    private static async Task<int> SetAsync(ParseResult parse, CliContext context)
    {
        var name = parse.GetValue<string>("NAME")!;
        var value = ReadValue(context, name);
        if (value.Length == 0 || string.IsNullOrWhiteSpace(value))
            throw new UsageException($"no value given for {name}: write it on stdin, e.g. orchestrator secrets set {name} < token.txt");
        using var api = Options.Api(parse);
        using var request = api.NewRequest(HttpMethod.Put, $"api/secrets/{Uri.EscapeDataString(name)}", new System.Text.Json.Nodes.JsonObject { ["value"] = value });
        using var response = await api.SendRawAsync(request, HttpCompletionOption.ResponseContentRead, context.Cancellation);
        var verb = response.StatusCode == System.Net.HttpStatusCode.Created ? "created" : "replaced";
        await context.Out.WriteLineAsync($"secret {name} {verb}: refer to it as secret://{name}");
        return 0;
    }

    // One trailing line break is the shell's (echo, a file's last line), not the value's.
    private static string ReadValue(CliContext context, string name)
    {
        if (context.InputIsTerminal) return HiddenInput.Read(context, $"value of {name}: ");
        var text = context.In.ReadToEnd();
        if (text.EndsWith("\r\n", StringComparison.Ordinal)) return text[..^2];
        return text.EndsWith('\n') ? text[..^1] : text;
    }

    private static async Task<int> ListAsync(ParseResult parse, CliContext context)
    {
        using var api = Options.Api(parse);
        var secrets = await api.GetAsync("api/secrets", context.Cancellation);
        if (await OutputFormat.TryWriteDataAsync(parse, context, secrets)) return 0;
        var now = context.Time.GetUtcNow();
        var table = new TableView("NAME", "REFERENCE", "CREATED", "BY", "UPDATED", "BY");
        foreach (var s in Json.Items(secrets))
            table.Add(Json.Str(s, "name"), Json.Str(s, "reference"), Json.Ago(Json.Time(s, "createdAt"), now), Json.Str(s, "createdBy"),
                Json.Ago(Json.Time(s, "updatedAt"), now), Json.Str(s, "updatedBy"));
        new Terminal(context).Write(table);
        return 0;
    }

    private static async Task<int> DeleteAsync(ParseResult parse, CliContext context)
    {
        var name = parse.GetValue<string>("NAME")!;
        if (!parse.GetValue<bool>("--yes"))
            throw new UsageException($"delete removes the secret {name} for good: add --yes to confirm");
        using var api = Options.Api(parse);
        await api.SendAsync(HttpMethod.Delete, $"api/secrets/{Uri.EscapeDataString(name)}", null, context.Cancellation);
        await context.Out.WriteLineAsync($"secret {name} deleted");
        return 0;
    }
}
