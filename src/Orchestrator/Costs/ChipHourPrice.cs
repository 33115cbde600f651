namespace Orchestrator.Costs;

/// <summary>One row of the price table (<see cref="CostOptions.Prices"/>): a price per chip-hour for a region, a TPU
/// machine type, or the two together. A row names at least one of them.</summary>
public sealed class ChipHourPrice
{
    public string? Region { get; set; }
    public string? MachineType { get; set; }
    public decimal PerChipHour { get; set; }
}
