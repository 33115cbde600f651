namespace Contracts.Specs;

public sealed record TpuSpec
{
    public string MachineType { get; init; } = "ct5lp-hightpu-8t";
    public string Topology { get; init; } = "2x4";
    public int Nodes { get; init; } = 2;
}
