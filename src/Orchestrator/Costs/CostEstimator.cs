using System.Globalization;
using Contracts.Specs;
using Microsoft.Extensions.Options;

namespace Orchestrator.Costs;

/// <summary>Prices the chips of a gke spec (<see cref="TpuChips"/>) with the configured table (<see cref="CostOptions"/>)
/// for <c>plan</c>. Other targets run on machines the orchestrator does not rent, so they get no estimate.</summary>
public sealed class CostEstimator(IOptions<CostOptions> options)
{
    private const string TtlField = "cleanup.teardownAfter";

    /// <summary>Null for a target that is not <c>gke</c>; expects a spec the validator passed.</summary>
    public CostEstimate? Estimate(RolloutSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        if (spec.Target.Kind != TargetKinds.Gke || spec.Target.Gke is not { } gke) return null;
        var (chips, basis) = TpuChips.Count(gke, spec.Engine);
        var (price, source) = Price(gke.Region, gke.Tpu.MachineType);
        var perHour = chips * price;
        decimal? hours = Durations.TryParse(spec.Cleanup.TeardownAfter, out var ttl) ? (decimal)ttl.TotalSeconds / 3600m : null;
        return new CostEstimate(
            chips, basis, chips, Round(hours, 4), Round(chips * hours, 2), price, options.Value.Currency,
            Math.Round(perHour, 2, MidpointRounding.AwayFromZero), Round(perHour * hours, 2), source)
        {
            PriceNote = PriceNote(gke.Tpu),
        };
    }

    // The table holds on-demand prices only: Spot and flex-start nodes are billed less, at rates that change (Spot
    // daily), so the estimate is their upper bound and says so rather than passing for their price.
    private static string? PriceNote(TpuSpec tpu) =>
        tpu.Spot ? "tpu.spot: priced at the on-demand rate of the price table; Spot TPUs are billed less (their price changes), so this is an upper bound"
        : tpu.Provisioning == TpuSpec.FlexStart ? "tpu.provisioning flex-start: priced at the on-demand rate of the price table; flex-start TPUs are billed at a discount, so this is an upper bound"
        : null;

    /// <summary>What a person should know before applying: a gke spec without a TTL is billed until someone acts.</summary>
    public static IReadOnlyList<string> Warnings(CostEstimate? estimate)
    {
        var warnings = new List<string>();
        if (estimate is { TtlHours: null })
            warnings.Add($"no {TtlField}: the TPUs are billed until someone tears the environment down ({estimate.Chips} chips, ~{Money(estimate.EstimatedPerHour, estimate.Currency)} per hour)");
        if (estimate?.PriceNote is { } note) warnings.Add(note);
        return warnings;
    }

    private static string Money(decimal amount, string currency) => $"{amount.ToString("0.00", CultureInfo.InvariantCulture)} {currency}";

    // Most specific first: region and machine type, then machine type (the larger difference), then region.
    private (decimal Price, string Source) Price(string region, string machineType)
    {
        var table = options.Value;
        foreach (var (regionMatters, machineMatters) in new[] { (true, true), (false, true), (true, false) })
            for (var i = 0; i < table.Prices.Count; i++)
            {
                var row = table.Prices[i];
                if (Names(row.Region, regionMatters ? region : null) && Names(row.MachineType, machineMatters ? machineType : null))
                    return (row.PerChipHour, $"{CostOptions.Section}:{nameof(CostOptions.Prices)}:{i} ({Describe(row)})");
            }
        return (table.DefaultPerChipHour, $"{CostOptions.Section}:{nameof(CostOptions.DefaultPerChipHour)}");
    }

    // A row field matches when it is empty and not wanted, or equals the wanted value.
    private static bool Names(string? field, string? wanted) =>
        wanted is null ? string.IsNullOrEmpty(field) : string.Equals(field, wanted, StringComparison.Ordinal);

    private static string Describe(ChipHourPrice row) => string.Join(", ",
        new[] { ("region", row.Region), ("machineType", row.MachineType) }.Where(p => !string.IsNullOrEmpty(p.Item2)).Select(p => $"{p.Item1} {p.Item2}"));

    private static decimal? Round(decimal? value, int decimals) =>
        value is { } v ? Math.Round(v, decimals, MidpointRounding.AwayFromZero) : null;
}
