namespace Contracts.Specs;

public sealed record CanarySpec
{
    public IReadOnlyList<CanaryStepSpec> Steps { get; init; } = [];
}
