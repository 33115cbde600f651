using Runner.Agent;

namespace Runner.Tests.Agent;

public sealed class RunnerArgumentsTests
{
    [Fact]
    public void ToRunnerOptions_AllFlags_AreRead()
    {
        var options = RunnerArguments.ToRunnerOptions(
        [
            "--server", "http://127.0.0.1:8080", "--registration-token=orch_reg_x", "--labels", "local, gpu",
            "--name", "r1", "--work-dir", "/tmp/w", "--state-dir", "/tmp/s", "--engine", "/opt/engine", "--shutdown-grace", "2.5",
            "--hugging-face-endpoint", "https://hub.example.com/mirror", "--metrics-port", "9464",
        ]);

        Assert.Equal(new Uri("http://127.0.0.1:8080/"), options.Server);
        Assert.Equal("orch_reg_x", options.RegistrationToken);
        Assert.Equal(["local", "gpu"], options.Labels);
        Assert.Equal("r1", options.Name);
        Assert.Equal("/tmp/w", options.WorkDir);
        Assert.Equal("/tmp/s", options.StateDir);
        Assert.Equal("/opt/engine", options.EnginePath);
        Assert.Equal(TimeSpan.FromSeconds(2.5), options.ShutdownGrace);
        Assert.Equal(new Uri("https://hub.example.com/mirror/"), options.HuggingFaceEndpoint);
        Assert.Equal("/tmp/w/huggingface", options.HubCacheDir);
        Assert.Equal(9464, options.MetricsPort);
    }

    [Theory]
    [InlineData("--server is required", "--name", "x")]
    [InlineData("unknown flag --bogus", "--server", "http://h", "--bogus", "1")]
    [InlineData("needs a value", "--server")]
    [InlineData("--server must be an absolute", "--server", "not a url")]
    [InlineData("--claim-wait: 'soon' is not a valid value", "--server", "http://h", "--claim-wait", "soon")]
    [InlineData("--drain-seconds must be between 0 and 3600", "--server", "http://h", "--drain-seconds", "-1")]
    [InlineData("--claim-wait must be between 1 and 300", "--server", "http://h", "--claim-wait", "0")]
    [InlineData("--slots must be between 1 and 16", "--server", "http://h", "--slots", "0")]
    [InlineData("--metrics-port must be between 1 and 65535", "--server", "http://h", "--metrics-port", "0")]
    [InlineData("--hugging-face-endpoint must be an absolute", "--server", "http://h", "--hugging-face-endpoint", "huggingface.co")]
    public void ToRunnerOptions_MissingUnknownOrInvalidFlag_ThrowsNamingIt(string message, params string[] args) =>
        Assert.Contains(message, Assert.Throws<ArgumentException>(() => RunnerArguments.ToRunnerOptions(args)).Message, StringComparison.Ordinal);

    [Fact]
    public void ToRunnerOptions_Defaults_AreTheDocumentedOnes()
    {
        var options = RunnerArguments.ToRunnerOptions(["--server", "http://h:1"]);

        Assert.Equal(["local"], options.Labels);
        Assert.Equal(TimeSpan.FromSeconds(5), options.DrainDelay);
        Assert.Equal(TimeSpan.FromSeconds(10), options.ReplicaStopGrace);
        Assert.Equal(30, options.ClaimWaitSeconds);
        Assert.Equal(TimeSpan.FromSeconds(30), options.ShutdownGrace);
        Assert.Null(options.MetricsPort);
    }

    [Fact]
    public void Credentials_Saved_AreEncryptedReadableOnlyByTheOwnerAndLoadBack()
    {
        using var dir = new TempDir();
        var credentials = new RunnerCredentials(new Uri("http://h/"), Guid.NewGuid(), "r1", "orch_r_secret");

        credentials.Save(dir.Path);

        var path = Path.Combine(dir.Path, RunnerCredentials.FileName);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
        Assert.DoesNotContain("orch_r_secret", File.ReadAllText(path), StringComparison.Ordinal);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(Path.Combine(dir.Path, ".keys")));
        Assert.Equal(credentials, RunnerCredentials.Load(dir.Path));
    }

    [Fact]
    public void Credentials_StoredInPlainTextByAnOlderRunner_LoadAndAreEncryptedAtOnce()
    {
        using var dir = new TempDir();
        var runnerId = Guid.NewGuid();
        var path = Path.Combine(dir.Path, RunnerCredentials.FileName);
        File.WriteAllText(path, $$"""{"server":"http://h/","runnerId":"{{runnerId}}","name":"r1","token":"orch_r_old"}""");

        var loaded = RunnerCredentials.Load(dir.Path);

        Assert.Equal(new RunnerCredentials(new Uri("http://h/"), runnerId, "r1", "orch_r_old"), loaded);
        Assert.DoesNotContain("orch_r_old", File.ReadAllText(path), StringComparison.Ordinal);
        Assert.Equal(loaded, RunnerCredentials.Load(dir.Path));
    }

    [Fact]
    public void Credentials_WhoseKeysAreGone_AreTreatedAsAbsent()
    {
        using var dir = new TempDir();
        new RunnerCredentials(new Uri("http://h/"), Guid.NewGuid(), "r1", "orch_r_secret").Save(dir.Path);

        Directory.Delete(Path.Combine(dir.Path, ".keys"), recursive: true);

        Assert.Null(RunnerCredentials.Load(dir.Path));
    }
}
