using System.CommandLine;
using System.Text.Json.Nodes;
using Orchestrator.Auth;

namespace Orchestrator.Cli;

/// <summary>
/// <c>tokens create|list|revoke</c> through the API, for an admin whose token is not limited to environments. (With a
/// database and no server, Program.cs runs them against the database instead: how the first admin token is made.)
/// <c>create</c> prints the new token alone on stdout, once.
/// </summary>
public static class TokenCommands
{
    public static Command Build(CliContext context)
    {
        var tokens = new Command("tokens", "tokens: create, list, revoke (through the service; against the database with --db and no --server)");
        tokens.Add(Create(context));
        tokens.Add(Options.Command("list", "user and registration tokens: role, environments, expiry, state (never their values)",
            Options.Flag("--all", "also revoked, expired and used ones"), DbOption()).WithOutput().Does(context, ListAsync));
        tokens.Add(Options.Command("revoke", "revoke a token at once, on every instance", Options.Arg("ID", "the token's id (tokens list)"),
            Options.Flag("--yes", "confirm"), DbOption()).WithOutput().Does(context, RevokeAsync));
        return tokens;
    }

    /// <summary>The options of <c>tokens create</c>, shared with the database path's help.</summary>
    public static Command Create(CliContext context)
    {
        var kind = Options.Text("--kind", "user (default) or registration (for a runner)");
        kind.AcceptOnlyFromAmong(TokenKinds.User, TokenKinds.Registration);
        var role = Options.Text("--role", "a user token's role: viewer, operator or admin (admin when made against the database)");
        role.AcceptOnlyFromAmong(Roles.All);
        return Options.Command("create", "issue a token and print it once", Options.Required("--name", "who or what it is for"), kind, role,
                Options.Text("--environments", "limit it to these environments, e.g. staging,prod"),
                Options.Text("--expires", "it stops working after this long, e.g. 30d, 12h"), DbOption())
            .WithOutput().Does(context, CreateAsync);
    }

    private static Option<string> DbOption() => Options.Text("--db", "run against this database instead of the service (the first admin token)");

    /// <summary>The request body of a create, from the command line (the database path sends it to the same validator).</summary>
    public static CreateTokenRequest Request(string? name, string? kind, string? role, string? environments, string? expires) => new()
    {
        Name = name,
        Kind = kind,
        Role = role,
        Environments = environments?.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries),
        ExpiresIn = expires,
    };

    private static async Task<int> CreateAsync(ParseResult parse, CliContext context)
    {
        var request = Request(parse.GetValue<string>("--name"), parse.GetValue<string>("--kind"), parse.GetValue<string>("--role"),
            parse.GetValue<string>("--environments"), parse.GetValue<string>("--expires"));
        if ((request.Kind ?? TokenKinds.User) == TokenKinds.User && request.Role is null)
            throw new UsageException("say what the token may do: --role viewer, operator or admin");
        using var api = Options.Api(parse);
        var body = Body(request);
        var created = await api.SendAsync(HttpMethod.Post, "api/tokens", body, context.Cancellation);
        if (await OutputFormat.TryWriteDataAsync(parse, context, created)) return 0;
        await context.Out.WriteLineAsync(Json.Str(created, "value"));
        var token = created?["token"];
        await context.Error.WriteLineAsync($"token {Json.Str(token, "id")} ({Json.Str(token, "name")}, {Describe(token)}): shown once, keep it now");
        return 0;
    }

    private static async Task<int> ListAsync(ParseResult parse, CliContext context)
    {
        using var api = Options.Api(parse);
        var tokens = await api.GetAsync(parse.GetValue<bool>("--all") ? "api/tokens?all=true" : "api/tokens", context.Cancellation);
        if (await OutputFormat.TryWriteDataAsync(parse, context, tokens)) return 0;
        var table = new TableView("ID", "NAME", "KIND", "ROLE", "ENVIRONMENTS", "EXPIRES", "STATE", "CREATED BY");
        foreach (var token in Json.Items(tokens))
            table.Add(Json.Str(token, "id"), Json.Str(token, "name"), Json.Str(token, "kind"), Json.OrDash(Json.Str(token, "role")),
                Environments(token), Json.OrDash(Json.Str(token, "expiresAt")), Json.Str(token, "state"), Json.OrDash(Json.Str(token, "createdBy")));
        new Terminal(context).Write(table);
        return 0;
    }

    private static async Task<int> RevokeAsync(ParseResult parse, CliContext context)
    {
        var id = parse.GetValue<string>("ID")!;
        if (!Guid.TryParse(id, out _)) throw new UsageException($"'{id}' is not a token id: see `orchestrator tokens list`");
        if (!parse.GetValue<bool>("--yes")) throw new UsageException($"revoking {id} stops every client that uses it: add --yes to confirm");
        using var api = Options.Api(parse);
        var revoked = await api.SendAsync(HttpMethod.Delete, $"api/tokens/{id}", null, context.Cancellation);
        if (await OutputFormat.TryWriteDataAsync(parse, context, revoked)) return 0;
        await context.Out.WriteLineAsync($"token {id} ({Json.Str(revoked, "name")}) revoked at {Json.Str(revoked, "revokedAt")}");
        return 0;
    }

    private static string Environments(JsonNode? token) =>
        token?["environments"] is JsonArray list ? string.Join(",", list.Select(e => e?.GetValue<string>())) : "all";

    private static string Describe(JsonNode? token)
    {
        var role = Json.Str(token, "role");
        var scope = token?["environments"] is JsonArray ? $"environments {Environments(token)}" : "every environment";
        var expiry = Json.Str(token, "expiresAt") is { Length: > 0 } at ? $"expires {at}" : "no expiry";
        return role.Length > 0 ? $"{role}, {scope}, {expiry}" : $"{Json.Str(token, "kind")}, {expiry}";
    }

    private static JsonObject Body(CreateTokenRequest request)
    {
        var body = new JsonObject { ["name"] = request.Name };
        if (request.Kind is { } kind) body["kind"] = kind;
        if (request.Role is { } role) body["role"] = role;
        if (request.Environments is { } environments) body["environments"] = new JsonArray([.. environments.Select(e => JsonValue.Create(e))]);
        if (request.ExpiresIn is { } expires) body["expiresIn"] = expires;
        return body;
    }
}
