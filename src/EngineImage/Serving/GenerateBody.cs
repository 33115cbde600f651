using EngineImage.Inference;

namespace EngineImage.Serving;

/// <summary>A parsed <c>POST /generate</c> body: jetstream-http's <c>prompt</c>, <c>max_tokens</c> (default 100) and
/// <c>stream</c> (default false), plus optional sampling fields and <c>return_token_ids</c> (adds the generated token
/// ids to the answer, for checking the engine).</summary>
public sealed record GenerateBody(string Prompt, int MaxTokens, bool Stream, SamplingParams Sampling, bool ReturnTokenIds);
