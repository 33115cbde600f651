using System.ComponentModel.DataAnnotations;

namespace Runner.Agent;

/// <summary>
/// The flags of <c>runner run</c> as configuration (<c>Runner:*</c>, one member per flag, named as the flag in
/// PascalCase), bound by the configuration binder and validated by their annotations before anything starts, as the
/// orchestrator's options are; <see cref="RunnerArguments"/> turns them into <see cref="RunnerOptions"/>.
/// </summary>
internal sealed class RunnerSettings
{
    public const string Section = "Runner";

    [Required(ErrorMessage = "--server is required")]
    [Url(ErrorMessage = "--server must be an absolute http or https URL")]
    public string? Server { get; set; }

    public string? RegistrationToken { get; set; }

    [Required, MinLength(1, ErrorMessage = "--labels must name at least one label")]
    public string Labels { get; set; } = "local";

    public string? Name { get; set; }

    [Required]
    public string WorkDir { get; set; } = "_work";

    public string? StateDir { get; set; }

    [Required]
    public string Engine { get; set; } = "engine";

    [Range(0, 86400, ErrorMessage = "--shutdown-grace must be between 0 and 86400 seconds")]
    public double ShutdownGrace { get; set; } = 30;

    [Range(0, 3600, ErrorMessage = "--drain-seconds must be between 0 and 3600")]
    public double DrainSeconds { get; set; } = 5;

    [Range(0, 3600, ErrorMessage = "--replica-stop-grace must be between 0 and 3600 seconds")]
    public double ReplicaStopGrace { get; set; } = 10;

    [Range(0, 3600, ErrorMessage = "--child-stop-grace must be between 0 and 3600 seconds")]
    public double ChildStopGrace { get; set; } = 5;

    /// <summary>The Hugging Face Hub that <c>hf://</c> sources come from; empty: <c>HF_ENDPOINT</c> (the Hub's own
    /// convention), else <c>https://huggingface.co</c>.</summary>
    [Url(ErrorMessage = "--hugging-face-endpoint must be an absolute http or https URL")]
    public string? HuggingFaceEndpoint { get; set; }

    [Range(1, 300, ErrorMessage = "--claim-wait must be between 1 and 300 seconds")]
    public int ClaimWait { get; set; } = 30;

    [Range(1, 16, ErrorMessage = "--slots must be between 1 and 16")]
    public int Slots { get; set; } = 1;

    /// <summary>Serve Prometheus metrics on this port (<c>/metrics</c>); none: no metrics server.</summary>
    [Range(1, 65535, ErrorMessage = "--metrics-port must be between 1 and 65535")]
    public int? MetricsPort { get; set; }
}
