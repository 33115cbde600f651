namespace EngineImage.Serving;

/// <summary>What <see cref="EngineLoop.TrySubmit"/> did with a request.</summary>
public enum SubmitResult
{
    Accepted,

    /// <summary>The bounded request queue is full; the caller answers 503 with <c>Retry-After</c>.</summary>
    QueueFull,

    /// <summary>The engine is stopping and takes no new work.</summary>
    ShuttingDown,
}
