using System.Diagnostics;
using EngineImage.Inference;
using EngineImage.Serving;

namespace EngineImage.Benchmarking;

/// <summary>
/// Drives an <see cref="EngineLoop"/> in-process, the serving path minus HTTP: submits requests, waits for them and
/// measures tokens/s, time to first token and time per output token from the requests' own timestamps.
/// </summary>
public sealed class LoadDriver(EngineLoop loop, IReadOnlyList<int[]> prompts, int maxTokens)
{
    /// <summary><paramref name="requests"/> requests from <paramref name="concurrency"/> closed-loop clients: each
    /// sends its next request as soon as its previous one is answered.</summary>
    public async Task<WorkloadResult> RunAsync(string label, int requests, int concurrency)
    {
        var done = new GenerationRequest[requests];
        var next = -1;
        var started = Stopwatch.GetTimestamp();
        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(_ => Task.Run(async () =>
        {
            for (var i = Interlocked.Increment(ref next); i < requests; i = Interlocked.Increment(ref next))
            {
                var request = Submit(i);
                // Completion waits for the channel to be drained as well as completed: read what the engine wrote.
                await foreach (var token in request.Tokens.ReadAllAsync()) _ = token;
                if (!request.Succeeded)
                    throw new InvalidOperationException($"benchmark request {request.Id} ended {request.Finish}: {request.Error?.Message}");
                done[i] = request;
            }
        })));
        var wall = Stopwatch.GetElapsedTime(started);
        return new WorkloadResult(
            label,
            concurrency,
            requests,
            done.Sum(r => (long)r.Generated),
            wall,
            done.Select(r => r.TimeToFirstToken.TotalSeconds).ToList(),
            done.Where(r => r.Generated > 1).Select(r => r.TimePerOutputToken.TotalSeconds).ToList());
    }

    private GenerationRequest Submit(int index)
    {
        var request = new GenerationRequest($"bench-{index}", prompts[index % prompts.Count], maxTokens, SamplingParams.Greedy, CancellationToken.None);
        if (loop.TrySubmit(request) != SubmitResult.Accepted)
            throw new InvalidOperationException("the engine refused a benchmark request (queue too small?)");
        return request;
    }
}
