using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;

namespace EngineImage.Serving;

/// <summary><c>POST /generate</c>: validate, tokenize, queue for a decode slot, then answer with the whole text or
/// stream it as produced, one JSON object per line.</summary>
public static class GenerateEndpoint
{
    private const string RetryAfterSeconds = "1";

    public static async Task<Results<Ok<GenerateResponse>, PushStreamHttpResult, ProblemHttpResult, EmptyHttpResult>> HandleAsync(
        HttpContext context, EngineState state, ServingMetrics metrics)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (state.Live is not { } live)
            return Refuse(context, metrics, "not_ready", "The model is still loading; retry when /healthcheck answers 200", retry: true);

        var (body, error) = await GenerateBodyParser.ParseAsync(context.Request.Body, live.Loop.MaxCacheLength, context.RequestAborted);
        if (error is not null)
            return BadRequest(metrics, error);
        var prompt = live.Tokenizer.Encode(body!.Prompt, addBos: true);
        if (prompt.Count == 0)
            return BadRequest(metrics, new BadRequest("prompt", "prompt is empty"));
        if (prompt.Count > live.Loop.MaxCacheLength)
            return BadRequest(metrics, new BadRequest("prompt", $"prompt is {prompt.Count} tokens, longer than the cache length {live.Loop.MaxCacheLength}"));

        var request = new GenerationRequest(Guid.NewGuid().ToString("N"), prompt, body.MaxTokens, body.Sampling, context.RequestAborted);
        switch (live.Loop.TrySubmit(request))
        {
            case SubmitResult.QueueFull:
                return Refuse(context, metrics, "queue_full", "The request queue is full; retry later", retry: true);
            case SubmitResult.ShuttingDown:
                return Refuse(context, metrics, "shutting_down", "The server is stopping", retry: false);
        }
        if (body.Stream)
            return TypedResults.Stream(output => StreamAsync(output, request, live, body.ReturnTokenIds), "application/x-ndjson");
        return await CollectAsync(request, live, body.ReturnTokenIds);
    }

    private static async Task<Results<Ok<GenerateResponse>, PushStreamHttpResult, ProblemHttpResult, EmptyHttpResult>> CollectAsync(
        GenerationRequest request, LiveEngine live, bool returnIds)
    {
        var text = new IncrementalDetokenizer(live.Tokenizer);
        var response = new System.Text.StringBuilder();
        // Not cancelled by the client: the loop completes every request it took, a cancelled one included.
        await foreach (var token in request.Tokens.ReadAllAsync(CancellationToken.None))
            response.Append(text.Push(token));
        response.Append(text.Flush());
        return request.Finish switch
        {
            FinishReason.Cancelled => TypedResults.Empty,
            FinishReason.ShuttingDown => TypedResults.Problem(title: "The server stopped before the answer was complete", statusCode: 503),
            FinishReason.Failed => TypedResults.Problem(title: $"The engine failed while generating: {request.Error?.Message}", statusCode: 500),
            _ => TypedResults.Ok(new GenerateResponse(response.ToString(), returnIds ? text.Ids.ToArray() : null)),
        };
    }

    private static async Task StreamAsync(Stream output, GenerationRequest request, LiveEngine live, bool returnIds)
    {
        var text = new IncrementalDetokenizer(live.Tokenizer);
        var created = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var pendingIds = new List<int>();
        var reader = request.Tokens;
        try
        {
            while (await reader.WaitToReadAsync(CancellationToken.None))
            {
                var piece = new System.Text.StringBuilder();
                while (reader.TryRead(out var token))
                {
                    pendingIds.Add(token);
                    piece.Append(text.Push(token));
                }
                if (piece.Length > 0 || returnIds)
                {
                    await WriteChunkAsync(output, request.Id, created, piece.ToString(), returnIds ? pendingIds : null, null);
                    pendingIds.Clear();
                }
            }
            var rest = text.Flush();
            if (rest.Length > 0)
                await WriteChunkAsync(output, request.Id, created, rest, null, null);
            if (request.Finish is FinishReason.ShuttingDown or FinishReason.Failed)
                await WriteChunkAsync(output, request.Id, created, "", null, FailureText(request));
        }
        catch (Exception e) when (e is IOException or OperationCanceledException && request.Aborted.IsCancellationRequested)
        {
            // The client went away; the loop frees its slot on its own.
        }
    }

    private static async Task WriteChunkAsync(Stream output, string id, long created, string text, List<int>? ids, string? error)
    {
        var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("id", id);
            json.WriteNumber("time_created", created);
            json.WriteString("text", text);
            if (ids is not null)
            {
                json.WriteStartArray("token_ids");
                foreach (var tokenId in ids) json.WriteNumberValue(tokenId);
                json.WriteEndArray();
            }
            if (error is not null) json.WriteString("error", error);
            json.WriteEndObject();
        }
        buffer.WriteByte((byte)'\n');
        await output.WriteAsync(buffer.GetBuffer().AsMemory(0, (int)buffer.Length));
        await output.FlushAsync();
    }

    private static string FailureText(GenerationRequest request) => request.Finish == FinishReason.ShuttingDown
        ? "The server stopped before the answer was complete"
        : $"The engine failed while generating: {request.Error?.Message}";

    private static ProblemHttpResult BadRequest(ServingMetrics metrics, BadRequest error)
    {
        metrics.RequestRejected("bad_request");
        var extensions = new Dictionary<string, object?> { ["field"] = error.Field };
        return TypedResults.Problem(title: error.Message, statusCode: StatusCodes.Status400BadRequest, extensions: extensions);
    }

    private static ProblemHttpResult Refuse(HttpContext context, ServingMetrics metrics, string reason, string title, bool retry)
    {
        metrics.RequestRejected(reason);
        if (retry) context.Response.Headers.RetryAfter = RetryAfterSeconds;
        return TypedResults.Problem(title: title, statusCode: StatusCodes.Status503ServiceUnavailable);
    }
}
