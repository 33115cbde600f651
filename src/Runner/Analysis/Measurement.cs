namespace Runner.Analysis;

/// <summary>One measurement of a metric: Successful, Failed or Inconclusive (no data), with the value read.</summary>
internal sealed record Measurement(string Phase, double? Value, string Detail, DateTimeOffset At)
{
    public const string Successful = "Successful";
    public const string Failed = "Failed";
    public const string Inconclusive = "Inconclusive";

    public static Measurement NoData(string detail, DateTimeOffset at) => new(Inconclusive, null, detail, at);
}
