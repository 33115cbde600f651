namespace Orchestrator.Costs;

/// <summary>
/// What a <c>gke</c> spec costs in TPU chips once it serves, before anything is provisioned: <see cref="Chips"/> held
/// (<see cref="Basis"/> says how they were counted), chip-hours per hour and until <c>cleanup.teardownAfter</c>
/// (<see cref="TtlHours"/>; the three <c>…Ttl</c> figures are null without one), and the price the table gave
/// (<see cref="PriceSource"/> names the row). Amounts are in <see cref="Currency"/>, rounded to cents; chip-hours to
/// hundredths. Not counted: the converter Job's chips while it runs, cluster fees, storage and traffic.
/// </summary>
public sealed record CostEstimate(
    int Chips,
    string Basis,
    decimal ChipHoursPerHour,
    decimal? TtlHours,
    decimal? ChipHoursUntilTtl,
    decimal PricePerChipHour,
    string Currency,
    decimal EstimatedPerHour,
    decimal? EstimatedUntilTtl,
    string PriceSource)
{
    /// <summary>What the price does not reflect (Spot or flex-start nodes priced at the table's on-demand rate); null
    /// when it applies as is. Shown as a warning.</summary>
    public string? PriceNote { get; init; }
}
