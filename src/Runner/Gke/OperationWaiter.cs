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
    public async Task<JsonObject> WaitAsync(GkeRequests requests, string operation, IStepLog log, CancellationToken cancellationToken)
    {
        string? lastStatus = null;
        while (true)
        {
            var current = await client.SendAsync(requests.GetOperation(operation), log, cancellationToken);
            var status = (string?)current["status"] ?? "STATUS_UNSPECIFIED";
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
