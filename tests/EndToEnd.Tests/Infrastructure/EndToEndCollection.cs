namespace EndToEnd.Tests.Infrastructure;

/// <summary>The tests that run engines share one tiny model and run one at a time.</summary>
[CollectionDefinition(Name)]
public sealed class EndToEndCollection : ICollectionFixture<TinyModelFixture>
{
    public const string Name = "end-to-end";
}
