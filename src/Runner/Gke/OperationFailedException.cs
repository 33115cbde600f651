using CloudTargets.Google;

namespace Runner.Gke;

/// <summary>A GKE operation that finished with an error (<c>google.rpc.Status</c>: code and message).</summary>
internal sealed class OperationFailedException(string operation, int code, string message)
    : Exception($"operation {operation} failed: {message} (code {code})")
{
    public int Code { get; } = code;
    public string ApiMessage { get; } = message;

    /// <summary>RESOURCE_EXHAUSTED (8): quota or no capacity in the zone (a TPU stock-out); retrying soon will not help.</summary>
    public bool Exhausted => Code == 8 || StockedOut;

    /// <summary>The zone has no capacity (not a quota): another zone may.</summary>
    public bool StockedOut => StockOut.Matches(ApiMessage);
}
