using System.CommandLine;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Orchestrator.Cli;

/// <summary><c>generate --environment E [--max-tokens N] [--stream] "prompt"</c>: asks the model the environment
/// serves, through the service (no port-forwarding), and prints its text.</summary>
public static class GenerateCommand
{
    public static Command Build(CliContext context) =>
        Options.Command("generate", "ask the model the environment serves, through the service",
                Options.Required("--environment", "the environment", "-e"), Options.PositiveInt("--max-tokens", "at most this many tokens"),
                Options.Flag("--stream", "print the text as it comes (with -o json|yaml: one document per chunk)"),
                new Argument<string[]>("PROMPT") { Description = "the prompt (words are joined with spaces)", Arity = ArgumentArity.ZeroOrMore })
            .WithOutput().Does(context, RunAsync);

    private static async Task<int> RunAsync(ParseResult parse, CliContext context)
    {
        var environment = parse.GetValue<string>("--environment")!;
        var words = parse.GetValue<string[]>("PROMPT") ?? [];
        if (words.Length == 0) throw new UsageException("missing the prompt: orchestrator generate --environment E \"prompt\"");
        var prompt = string.Join(' ', words);
        var stream = parse.GetValue<bool>("--stream");
        var format = OutputFormat.Of(parse);
        var body = new JsonObject { ["prompt"] = prompt, ["stream"] = stream };
        if (parse.GetValue<int?>("--max-tokens") is { } maxTokens) body["max_tokens"] = maxTokens;

        using var api = Options.Api(parse);
        var path = $"api/environments/{Uri.EscapeDataString(environment)}/generate";
        if (!stream)
        {
            var answer = await api.PostAsync(path, body, context.Cancellation);
            if (!await OutputFormat.TryWriteDataAsync(parse, context, answer)) await context.Out.WriteLineAsync(Json.Str(answer, "response"));
            return 0;
        }
        using var request = api.NewRequest(HttpMethod.Post, path, body);
        using var response = await api.SendRawAsync(request, HttpCompletionOption.ResponseHeadersRead, context.Cancellation);
        await using var content = await response.Content.ReadAsStreamAsync(context.Cancellation);
        // The front streams one JSON object per chunk ({"id","time_created","text"}); print each text as it comes.
        await foreach (var chunk in JsonSerializer.DeserializeAsyncEnumerable<JsonNode>(content, topLevelValues: true, cancellationToken: context.Cancellation))
        {
            await context.Out.WriteAsync(format switch
            {
                OutputFormat.Json => chunk?.ToJsonString() + "\n",
                OutputFormat.Yaml => "---\n" + OutputFormat.ToYaml(chunk),
                _ => Json.Str(chunk, "text"),
            });
            await context.Out.FlushAsync(context.Cancellation);
        }
        await context.Out.WriteLineAsync();
        return 0;
    }
}
