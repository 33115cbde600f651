using System.Text.Json.Nodes;
using Orchestrator.Cli;

namespace EndToEnd.Tests.Cli;

/// <summary>How a step's <c>progress</c> reads off a terminal, and that a run without it reads as before.</summary>
public sealed class StepProgressTests
{
    private static readonly DateTimeOffset Now = DateTimeOffset.Parse("2026-01-01T00:01:00Z", System.Globalization.CultureInfo.InvariantCulture);

    [Theory]
    [InlineData("""{"done": 125829120, "total": 419430400, "unit": "bytes"}""", "checkpoint.convert 120.0 MiB / 400.0 MiB (30%)")]
    [InlineData("""{"done": 512, "total": null, "unit": "bytes"}""", "checkpoint.convert 512 B")]
    [InlineData("""{"done": 3, "total": 291, "unit": "tensors", "message": "model.layers.1.mlp"}""", "checkpoint.convert 3 / 291 tensors (1%) model.layers.1.mlp")]
    [InlineData("""{"done": 1, "total": 2, "unit": "replicas"}""", "checkpoint.convert 1 / 2 replicas (50%)")]
    [InlineData("""{"done": 42, "total": null, "unit": "percent", "message": "creating the cluster"}""", "checkpoint.convert 42% creating the cluster")]
    [InlineData("""{"done": 1610612736, "total": 1610612736, "unit": "bytes"}""", "checkpoint.convert 1.5 GiB / 1.5 GiB (100%)")]
    [InlineData("""{"done": 7, "total": null, "unit": "tensors"}""", "checkpoint.convert 7 tensors")]
    [InlineData("""{"done": 150, "total": null, "unit": "seconds", "message": "CREATE_CLUSTER RUNNING, 2m30s elapsed"}""", "checkpoint.convert CREATE_CLUSTER RUNNING, 2m30s elapsed")]
    public void Line_EachUnit_ReadsAsAmountsAndPercent(string progress, string expected)
    {
        var step = JsonNode.Parse($$"""{"name": "checkpoint.convert", "progress": {{progress}}}""");

        Assert.Equal(expected, StepProgress.Of(step)!.Line("checkpoint.convert"));
    }

    [Theory]
    [InlineData("""{"name": "a"}""")]
    [InlineData("""{"name": "a", "progress": null}""")]
    [InlineData("""{"name": "a", "progress": {"total": 3}}""")]
    [InlineData("""{"name": "a", "progress": {"done": "many"}}""")]
    [InlineData("""{"name": "a", "progress": {"done": -1}}""")]
    public void Of_AbsentOrMalformed_IsNoProgress(string step) => Assert.Null(StepProgress.Of(JsonNode.Parse(step)));

    [Fact]
    public void Full_StepWithProgress_AddsAProgressColumn()
    {
        var run = JsonNode.Parse("""
            {"id":"r-1","environment":"local","revision":"r3","status":"running",
             "steps":[
               {"name":"checkpoint.convert","kind":"checkpoint.convert","status":"running","attempt":1,"maxAttempts":3,
                "startedAt":"2026-01-01T00:00:00Z","progress":{"done":125829120,"total":419430400,"unit":"bytes","updatedAt":"2026-01-01T00:00:59Z"}},
               {"name":"engine.deploy","kind":"engine.deploy","status":"pending","attempt":0,"maxAttempts":3}]}
            """)!;

        var text = RunView.Full(run, Now);

        Assert.Equal("""
            run r-1  environment local  revision r3  status running
            STEP                KIND                STATUS   ATTEMPT  DURATION  PROGRESS                     ERROR
            checkpoint.convert  checkpoint.convert  running  1/3      1m00s     120.0 MiB / 400.0 MiB (30%)
            engine.deploy       engine.deploy       pending  0/3      -

            """.Replace("\r", "", StringComparison.Ordinal), text);
    }

    [Fact]
    public void Renderable_Rich_DrawsSpectresBar()
    {
        var run = JsonNode.Parse("""
            {"id":"r-1","environment":"local","status":"running","steps":[
               {"name":"engine.deploy","kind":"engine.deploy","status":"running","attempt":1,"progress":{"done":1,"total":2,"unit":"replicas"}}]}
            """)!;
        using var output = new StringWriter();
        var terminal = new Terminal(new CliContext(output, TextWriter.Null, TextReader.Null, false, TimeProvider.System, CancellationToken.None)
        {
            OutputIsTerminal = true, Variable = _ => null,
        });

        terminal.WriteRun(run, Now);

        Assert.True(terminal.IsRich);
        Assert.Contains("━", output.ToString(), StringComparison.Ordinal);
        Assert.Contains("1 / 2 replicas (50%)", output.ToString(), StringComparison.Ordinal);
        Assert.Contains("\u001b[", output.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("1", null)]
    [InlineData(null, "dumb")]
    public void Terminal_NoColorOrDumbTerminal_IsPlain(string? noColor, string? term)
    {
        var terminal = new Terminal(new CliContext(TextWriter.Null, TextWriter.Null, TextReader.Null, false, TimeProvider.System, CancellationToken.None)
        {
            OutputIsTerminal = true, Variable = name => name switch { "NO_COLOR" => noColor, "TERM" => term, _ => null },
        });

        Assert.False(terminal.IsRich);
    }
}
