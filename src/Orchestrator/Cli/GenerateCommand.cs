using System.Text.Json;
using System.Text.Json.Nodes;

namespace Orchestrator.Cli;

/// <summary><c>generate --environment E [--max-tokens N] [--stream] "prompt"</c>: asks the model the environment
/// serves, through the service (no port-forwarding), and prints its text.</summary>
public static class GenerateCommand
{
    public static async Task<int> RunAsync(IReadOnlyList<string> rawArgs, CliContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var args = CliArgs.Parse(rawArgs, ["environment", "max-tokens"], ["stream", "json"]);
        var environment = args.Required("environment");
        if (args.Positionals.Count == 0) throw new UsageException("missing the prompt: orchestrator generate --environment E \"prompt\"");
        var prompt = string.Join(' ', args.Positionals);
        var stream = args.Has("stream");
        var body = new JsonObject { ["prompt"] = prompt, ["stream"] = stream };
        if (args.PositiveInt("max-tokens") is { } maxTokens) body["max_tokens"] = maxTokens;

        using var api = new ApiClient(ServerConnection.Resolve(args));
        var path = $"api/environments/{Uri.EscapeDataString(environment)}/generate";
        if (!stream)
        {
            var answer = await api.PostAsync(path, body, context.Cancellation);
            await context.Out.WriteLineAsync(args.Has("json") ? Json.Pretty(answer) : Json.Str(answer, "response"));
            return 0;
        }
        using var request = api.NewRequest(HttpMethod.Post, path, body);
        using var response = await api.SendRawAsync(request, HttpCompletionOption.ResponseHeadersRead, context.Cancellation);
        await using var content = await response.Content.ReadAsStreamAsync(context.Cancellation);
        // The front streams one JSON object per chunk ({"id","time_created","text"}); print each text as it comes.
        await foreach (var chunk in JsonSerializer.DeserializeAsyncEnumerable<JsonNode>(content, topLevelValues: true, cancellationToken: context.Cancellation))
        {
            await context.Out.WriteAsync(args.Has("json") ? chunk?.ToJsonString() + "\n" : Json.Str(chunk, "text"));
            await context.Out.FlushAsync(context.Cancellation);
        }
        await context.Out.WriteLineAsync();
        return 0;
    }
}
