namespace CloudTargets.Google;

/// <summary>Tells a zone without capacity (a stock-out: try another zone) from everything else, quota included (TPU
/// quota is per region, so another zone of the same region would not help). GKE passes Compute Engine's wording
/// through in the operation's <c>error.message</c> and the pool's <c>statusMessage</c>: the codes
/// <c>ZONE_RESOURCE_POOL_EXHAUSTED</c>, <c>ZONE_RESOURCE_POOL_EXHAUSTED_WITH_DETAILS</c> and <c>GCE_STOCKOUT</c>, or the
/// sentences "The zone '…' does not have enough resources available to fulfill the request", "resource pool exhausted"
/// and "A … VM instance is currently unavailable in the … zone" (Compute Engine's "Troubleshoot resource availability
/// errors" and GKE's node pool troubleshooting pages).</summary>
public static class StockOut
{
    private static readonly string[] Markers =
    [
        "ZONE_RESOURCE_POOL_EXHAUSTED",
        "GCE_STOCKOUT",
        "STOCKOUT",
        "does not have enough resources available",
        "resource pool exhausted",
        "is currently unavailable in the",
    ];

    public static bool Matches(string? message) =>
        !string.IsNullOrEmpty(message) && Markers.Any(m => message.Contains(m, StringComparison.OrdinalIgnoreCase));
}
