using Microsoft.Extensions.Logging;

namespace EngineImage.Serving;

internal static partial class EngineLoopLog
{
    [LoggerMessage(EventId = 100, Level = LogLevel.Error, Message = "Engine step failed; the requests in it were failed")]
    public static partial void StepFailed(ILogger logger, Exception error);

    [LoggerMessage(EventId = 101, Level = LogLevel.Error, Message = "Prefill failed for request {RequestId}")]
    public static partial void PrefillFailed(ILogger logger, string requestId, Exception error);
}
