using System.Text.Json.Nodes;
using CloudTargets.Google;
using Runner.Agent;
using Runner.Kubernetes;

namespace Runner.Gke;

/// <summary>Polls a GKE long-running operation (PENDING → RUNNING → DONE) and surfaces its error.</summary>
internal sealed class OperationWaiter(GoogleRestClient client, GcpOptions options, TimeProvider time)
{
    /// <returns>The finished operation (status DONE, no error).</returns>
    /// <exception cref="GoogleApiException">The operation finished with an error: its code and message.</exception>
    /// <param name="progress">Told, at every poll, the operation's state and its time so far (from its own
    /// <c>startTime</c> when it has one) and, when it reports them, its own done-of-total metrics.</param>
    public async Task<JsonObject> WaitAsync(
        GkeRequests requests, string operation, IStepLog log, CancellationToken cancellationToken, ProgressReporter? progress = null)
    {
        string? lastStatus = null;
        var waitStarted = time.GetUtcNow();
        while (true)
        {
            var current = await client.SendAsync(requests.GetOperation(operation), log, cancellationToken);
            var status = (string?)current["status"] ?? "STATUS_UNSPECIFIED";
            if (progress is not null) OperationProgress.Report(progress, current, status, waitStarted, time.GetUtcNow());
            if (status != lastStatus)
            {
                log.Write($"operation {GkeRequests.ShortName(operation)}: {status}");
                lastStatus = status;
            }

            if (status == "DONE")
            {
                if (current["error"] is JsonObject error && ((int?)error["code"] ?? 0) != 0)
                {
                    throw new OperationFailedException(
                        GkeRequests.ShortName(operation), (int?)error["code"] ?? 0, (string?)error["message"] ?? "(no message)");
                }

                return current;
            }

            if (status == "ABORTING")
            {
                throw new StepFailedException($"operation {GkeRequests.ShortName(operation)} is being aborted");
            }

            await Task.Delay(options.PollInterval, time, cancellationToken);
        }
    }
}
