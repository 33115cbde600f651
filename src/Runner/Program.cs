using Runner.Agent;
using Runner.Front;

// runner run --server URL --registration-token TOKEN --labels local --name NAME --work-dir DIR [--state-dir DIR] [--engine PATH]
// runner front --state-dir DIR --environment ENV --port PORT
try
{
    return args switch
    {
        ["run", .. var rest] => await AgentHost.RunAsync(RunnerArguments.ToRunnerOptions(rest)),
        ["front", .. var rest] => await FrontApp.RunAsync(RunnerArguments.ToFrontOptions(rest)),
        _ => Usage(),
    };
}
catch (ArgumentException e)
{
    await Console.Error.WriteLineAsync($"runner: {e.Message}");
    return 2;
}

static int Usage()
{
    Console.Error.WriteLine("""
        usage: runner run --server URL [--registration-token TOKEN] [--labels local,...] [--name NAME] [--work-dir DIR]
                          [--state-dir DIR] [--engine PATH] [--shutdown-grace S] [--drain-seconds S]
                          [--replica-stop-grace S] [--child-stop-grace S] [--claim-wait S] [--hugging-face-endpoint URL]
                          [--slots N] [--metrics-port PORT]
               runner front --state-dir DIR --environment ENV --port PORT
        The registration token may also come from RUNNER_REGISTRATION_TOKEN; it is needed only for the first start.
        The Hugging Face endpoint defaults to HF_ENDPOINT, else https://huggingface.co.
        --metrics-port serves Prometheus metrics at /metrics; OTEL_EXPORTER_OTLP_ENDPOINT turns on traces over OTLP.
        """);
    return 2;
}
