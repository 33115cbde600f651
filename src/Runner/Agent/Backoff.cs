namespace Runner.Agent;

/// <summary>Exponential backoff with jitter: 200 ms doubling up to a cap.</summary>
internal sealed class Backoff(TimeSpan? cap = null)
{
    private readonly TimeSpan _cap = cap ?? TimeSpan.FromSeconds(5);
    private TimeSpan _next = TimeSpan.FromMilliseconds(200);

    public TimeSpan Next()
    {
        var current = _next;
        _next = TimeSpan.FromTicks(Math.Min(_cap.Ticks, _next.Ticks * 2));
        return current * (0.75 + Random.Shared.NextDouble() / 2);
    }

    public void Reset() => _next = TimeSpan.FromMilliseconds(200);
}
