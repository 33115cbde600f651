using Microsoft.Extensions.Logging;

namespace EngineImage.Serving;

/// <summary>The server's log lines. The two JetStream lines are spelled exactly as JetStream prints them: deployments
/// and the local target wait for them.</summary>
internal static partial class ServeLog
{
    [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "Started jetstream_server....")]
    public static partial void Started(ILogger logger);

    [LoggerMessage(EventId = 2, Level = LogLevel.Information, Message = "---------Generate params 0 loaded.---------")]
    public static partial void ParamsLoaded(ILogger logger);

    [LoggerMessage(EventId = 3, Level = LogLevel.Information, Message = "Engine live: {Family} in {DType}, {Slots} decode slots, {Seconds:F1} s after start")]
    public static partial void Live(ILogger logger, string family, string dType, int slots, double seconds);

    [LoggerMessage(EventId = 4, Level = LogLevel.Critical, Message = "Loading the model failed: {Reason}")]
    public static partial void LoadFailed(ILogger logger, string reason, Exception error);

    [LoggerMessage(EventId = 5, Level = LogLevel.Information, Message = "Stopping: no new requests; in-flight requests get {GraceSeconds} s to finish")]
    public static partial void Stopping(ILogger logger, double graceSeconds);
}
