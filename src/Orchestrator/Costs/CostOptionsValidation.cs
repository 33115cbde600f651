using CloudTargets.Google;
using Microsoft.Extensions.Options;

namespace Orchestrator.Costs;

/// <summary>Stops the start on a price table that would estimate wrongly without saying so: a negative price, a row
/// that names neither region nor machine type, or names one that no TPU v5e spec can have (it would never match), or
/// two rows for the same thing.</summary>
internal sealed class CostOptionsValidation : IValidateOptions<CostOptions>
{
    public ValidateOptionsResult Validate(string? name, CostOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        if (string.IsNullOrWhiteSpace(options.Currency)) failures.Add($"{CostOptions.Section}:{nameof(CostOptions.Currency)} is required.");
        if (options.DefaultPerChipHour < 0) failures.Add($"{CostOptions.Section}:{nameof(CostOptions.DefaultPerChipHour)} must not be negative.");
        var seen = new HashSet<(string?, string?)>();
        for (var i = 0; i < options.Prices.Count; i++)
        {
            var row = options.Prices[i];
            var path = $"{CostOptions.Section}:{nameof(CostOptions.Prices)}:{i}";
            if (row.PerChipHour < 0) failures.Add($"{path}:{nameof(ChipHourPrice.PerChipHour)} must not be negative.");
            if (string.IsNullOrEmpty(row.Region) && string.IsNullOrEmpty(row.MachineType))
                failures.Add($"{path} names neither {nameof(ChipHourPrice.Region)} nor {nameof(ChipHourPrice.MachineType)} (the default is {CostOptions.Section}:{nameof(CostOptions.DefaultPerChipHour)}).");
            if (!string.IsNullOrEmpty(row.Region) && !TpuCatalog.Regions.Contains(row.Region))
                failures.Add($"{path}:{nameof(ChipHourPrice.Region)} {row.Region} has no TPU v5e; use one of {string.Join(", ", TpuCatalog.Regions.Order(StringComparer.Ordinal))}.");
            if (!string.IsNullOrEmpty(row.MachineType) && !TpuCatalog.ChipsPerHost.ContainsKey(row.MachineType))
                failures.Add($"{path}:{nameof(ChipHourPrice.MachineType)} {row.MachineType} is not a TPU v5e machine type; use one of {string.Join(", ", TpuCatalog.ChipsPerHost.Keys)}.");
            if (!seen.Add((NullIfEmpty(row.Region), NullIfEmpty(row.MachineType))))
                failures.Add($"{path} prices the same region and machine type as an earlier row.");
        }
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static string? NullIfEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;
}
