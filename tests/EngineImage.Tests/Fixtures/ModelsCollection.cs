namespace EngineImage.Tests.Fixtures;

[CollectionDefinition(Name)]
public sealed class ModelsCollection : ICollectionFixture<ModelsFixture>
{
    public const string Name = "tiny models";
}
