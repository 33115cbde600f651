namespace EngineImage.Serving;

/// <summary>Whether the engine is live. Null until the weights are loaded and warm; set once.</summary>
public sealed class EngineState
{
    private volatile LiveEngine? _live;

    public LiveEngine? Live => _live;

    internal void Publish(LiveEngine live) => _live = live;
}
