namespace Runner.Gke;

/// <summary>A Google API error answer <c>{"error": {"code", "message", "status"}}</c>. 409 <c>ALREADY_EXISTS</c> and 409
/// <c>ABORTED</c> are told apart by <see cref="Status"/>, never by the message.</summary>
internal sealed class GoogleApiException(int httpStatus, string status, string message, string url)
    : Exception($"{url}: {httpStatus} {status}: {message}")
{
    public int HttpStatus { get; } = httpStatus;
    public string Status { get; } = status;
    public string ApiMessage { get; } = message;

    public bool NotFound => HttpStatus == 404;
    public bool AlreadyExists => HttpStatus == 409 && Status == "ALREADY_EXISTS";
    public bool Aborted => HttpStatus == 409 && Status == "ABORTED";

    /// <summary>GKE answers 400 FAILED_PRECONDITION while another operation runs on the cluster: wait and retry.</summary>
    public bool OperationRunning =>
        HttpStatus == 400 && Status == "FAILED_PRECONDITION" && ApiMessage.Contains("operation", StringComparison.OrdinalIgnoreCase);

    public bool Transient => HttpStatus is 429 or 503 or 504 || OperationRunning;
}
