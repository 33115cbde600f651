using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Orchestrator.Auth;
using Orchestrator.Tests.Infrastructure;

namespace Orchestrator.Tests.Access;

/// <summary>Issues tokens through <c>POST /api/tokens</c> with an admin token made against the database.</summary>
public static class IssuedTokens
{
    public static async Task<string> CreateAsync(TestServer server, string role, string[]? environments = null, string? expiresIn = null)
    {
        using var admin = server.Client(await server.CreateTokenAsync(TokenKinds.User, "bootstrap-admin"));
        var body = new JsonObject { ["name"] = $"{role}-{Guid.NewGuid():N}"[..20], ["role"] = role };
        if (environments is not null) body["environments"] = new JsonArray([.. environments.Select(e => JsonValue.Create(e))]);
        if (expiresIn is not null) body["expiresIn"] = expiresIn;
        using var response = await admin.PostAsJsonAsync("/api/tokens", body);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Created, text);
        return JsonNode.Parse(text)!["value"]!.GetValue<string>();
    }
}
