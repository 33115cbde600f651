using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Logging.Console;
using Microsoft.Extensions.Options;

namespace Runner.Agent;

/// <summary>
/// The runner's own console log, in the simple formatter's layout (<c>level: category[event]</c>, then the message
/// and any exception indented), with every secret the agent was given masked the way step logs are: an exception
/// of a crashed step, or a library's message quoting a request, can hold a token that no step log line ever carried.
/// </summary>
internal sealed class MaskedConsoleFormatter(SecretMasker masker, IOptionsMonitor<SimpleConsoleFormatterOptions> options)
    : ConsoleFormatter(Name)
{
    public new const string Name = "masked";
    private const string Indent = "      ";

    public override void Write<TState>(in LogEntry<TState> logEntry, IExternalScopeProvider? scopeProvider, TextWriter textWriter)
    {
        var message = logEntry.Formatter?.Invoke(logEntry.State, logEntry.Exception);
        if (message is null && logEntry.Exception is null) return;
        var settings = options.CurrentValue;
        if (settings.TimestampFormat is { } format)
        {
            var now = settings.UseUtcTimestamp ? DateTimeOffset.UtcNow : DateTimeOffset.Now;
            textWriter.Write(now.ToString(format, System.Globalization.CultureInfo.InvariantCulture));
        }
        textWriter.Write(Level(logEntry.LogLevel));
        textWriter.Write(": ");
        textWriter.Write(logEntry.Category);
        textWriter.Write('[');
        textWriter.Write(logEntry.EventId.Id);
        textWriter.WriteLine(']');
        if (!string.IsNullOrEmpty(message)) WriteIndented(textWriter, masker.Apply(message));
        if (logEntry.Exception is { } exception) WriteIndented(textWriter, masker.Apply(exception.ToString()));
    }

    private static void WriteIndented(TextWriter writer, string text)
    {
        foreach (var line in text.Split('\n'))
        {
            writer.Write(Indent);
            writer.WriteLine(line.TrimEnd('\r'));
        }
    }

    private static string Level(LogLevel level) => level switch
    {
        LogLevel.Trace => "trce",
        LogLevel.Debug => "dbug",
        LogLevel.Information => "info",
        LogLevel.Warning => "warn",
        LogLevel.Error => "fail",
        LogLevel.Critical => "crit",
        _ => "none",
    };
}
