namespace Resilience.Tests.Infrastructure;

/// <summary>The suites that run engines share one tiny model.</summary>
[CollectionDefinition(Name)]
public sealed class TinyModelCollection : ICollectionFixture<TinyModelFixture>
{
    public const string Name = "tiny-model";
}
