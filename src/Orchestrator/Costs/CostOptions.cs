namespace Orchestrator.Costs;

/// <summary>
/// Bound from <c>Costs</c>: the price table <c>plan</c> estimates TPU cost with. The default,
/// <see cref="DefaultPerChipHour"/> = 1.20 USD, is Cloud TPU v5e on demand in us-central1 as the Google Cloud TPU
/// pricing page (https://cloud.google.com/tpu/pricing) listed it in December 2026; prices differ by region and change,
/// so <see cref="Prices"/> overrides it per region, per machine type, or both
/// (<c>Costs:Prices:0:Region=europe-west4</c>, <c>Costs:Prices:0:MachineType=ct5lp-hightpu-4t</c>,
/// <c>Costs:Prices:0:PerChipHour=1.56</c>).
/// </summary>
public sealed class CostOptions
{
    public const string Section = "Costs";

    /// <summary>The currency every price in the table is in; shown beside each estimate, never converted.</summary>
    public string Currency { get; set; } = "USD";

    /// <summary>Per chip and hour where no row of <see cref="Prices"/> matches.</summary>
    public decimal DefaultPerChipHour { get; set; } = 1.20m;

    /// <summary>Overrides; the most specific matching row wins: region and machine type, then machine type, then region.</summary>
    public IList<ChipHourPrice> Prices { get; } = new List<ChipHourPrice>();
}
