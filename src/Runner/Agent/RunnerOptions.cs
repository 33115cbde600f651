namespace Runner.Agent;

/// <summary>Settings of <c>runner run</c>, from its flags (see <see cref="RunnerArguments"/>).</summary>
internal sealed class RunnerOptions
{
    public Uri Server { get; set; } = new("http://127.0.0.1:8080/");
    /// <summary>One-time registration token; needed only when <c>WORK_DIR/.runner</c> holds no credential yet.</summary>
    public string? RegistrationToken { get; set; }
    public IReadOnlyList<string> Labels { get; set; } = ["local"];
    public string Name { get; set; } = Environment.MachineName;
    public string WorkDir { get; set; } = Path.GetFullPath("_work");
    public string? StateDirOverride { get; set; }
    public string StateDir => StateDirOverride ?? Path.Combine(WorkDir, "state");
    /// <summary>The engine program (an executable, or a <c>.dll</c> run through <c>dotnet</c>).</summary>
    public string EnginePath { get; set; } = "engine";
    /// <summary>How long a step may go on after SIGTERM/SIGINT before it is stopped and handed back.</summary>
    public TimeSpan ShutdownGrace { get; set; } = TimeSpan.FromSeconds(30);
    public int ClaimWaitSeconds { get; set; } = 30;
    /// <summary>Steps this runner runs at once (<c>--slots</c>).</summary>
    public int Slots { get; set; } = 1;
    /// <summary>Where <c>/metrics</c> is served (<c>--metrics-port</c>); null: nowhere.</summary>
    public int? MetricsPort { get; set; }
    /// <summary>Grace periods for stopping a step's child processes (interrupt, then terminate, then kill).</summary>
    public StopGracesOption ChildStop { get; set; } = new(TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(5));
    /// <summary>How long a retired revision keeps its replicas after it lost its traffic, so requests in flight finish.</summary>
    public TimeSpan DrainDelay { get; set; } = TimeSpan.FromSeconds(5);
    /// <summary>The Hugging Face Hub of <c>hf://</c> sources (<c>--hugging-face-endpoint</c>, else <c>HF_ENDPOINT</c>).</summary>
    public Uri HuggingFaceEndpoint { get; set; } = HuggingFace.HubEndpoint.Default();
    /// <summary>Downloaded Hugging Face snapshots, by repository and commit, shared by every environment of this runner.</summary>
    public string HubCacheDir => Path.Combine(WorkDir, "huggingface");
    /// <summary>SIGTERM to SIGKILL for engine replicas being retired.</summary>
    public TimeSpan ReplicaStopGrace { get; set; } = TimeSpan.FromSeconds(10);
}
