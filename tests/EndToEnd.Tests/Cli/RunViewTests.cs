using System.Text.Json.Nodes;
using Orchestrator.Cli;

namespace EndToEnd.Tests.Cli;

public sealed class RunViewTests
{
    private static readonly DateTimeOffset Now = DateTimeOffset.Parse("2026-01-01T00:01:00Z", System.Globalization.CultureInfo.InvariantCulture);

    [Fact]
    public void Full_StepWithMultiLineError_KeepsTheTableIntactAndShowsTheErrorBelow()
    {
        var run = JsonNode.Parse("""
            {"id":"r-1","environment":"local","revision":"r3","status":"failed","trigger":{"kind":"api","actor":"ada"},
             "steps":[
               {"name":"checkpoint.convert","kind":"checkpoint.convert","status":"succeeded","attempt":1,"maxAttempts":3,
                "startedAt":"2026-01-01T00:00:00Z","finishedAt":"2026-01-01T00:00:04Z"},
               {"name":"engine.deploy","kind":"engine.deploy","status":"failed","attempt":3,"maxAttempts":3,
                "startedAt":"2026-01-01T00:00:05Z","finishedAt":"2026-01-01T00:00:07Z","error":"replica 0 exited\nlast line one\nlast line two"}]}
            """)!;

        var text = RunView.Full(run, Now);

        Assert.Equal("""
            run r-1  environment local  revision r3  status failed  trigger api by ada
            STEP                KIND                STATUS     ATTEMPT  DURATION  ERROR
            checkpoint.convert  checkpoint.convert  succeeded  1/3      4.0s
            engine.deploy       engine.deploy       failed     3/3      2.0s      replica 0 exited …
            engine.deploy: replica 0 exited
                last line one
                last line two

            """.Replace("\r", "", StringComparison.Ordinal), text);
    }

    [Theory]
    [InlineData("short", 10, "short")]
    [InlineData("a very long line indeed", 10, "a very lo…")]
    [InlineData("one\ntwo", 10, "one …")]
    public void FirstLine_CutsAtTheFirstLineAndMaxLength(string text, int max, string expected) =>
        Assert.Equal(expected, RunView.FirstLine(text, max));
}
