namespace EngineImage.Tests.Serving;

/// <summary>The serving tests share one tiny model and run one class at a time: each starts its own server, and the
/// machine has two cores.</summary>
[CollectionDefinition(Name)]
public sealed class ServingCollection : ICollectionFixture<TinyModelFixture>
{
    public const string Name = "Serving";
}
