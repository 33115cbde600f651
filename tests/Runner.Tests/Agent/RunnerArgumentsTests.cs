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
        ]);

        Assert.Equal(new Uri("http://127.0.0.1:8080/"), options.Server);
        Assert.Equal("orch_reg_x", options.RegistrationToken);
        Assert.Equal(["local", "gpu"], options.Labels);
        Assert.Equal("r1", options.Name);
        Assert.Equal("/tmp/w", options.WorkDir);
        Assert.Equal("/tmp/s", options.StateDir);
        Assert.Equal("/opt/engine", options.EnginePath);
        Assert.Equal(TimeSpan.FromSeconds(2.5), options.ShutdownGrace);
    }

    [Theory]
    [InlineData("--name", "x")]
    [InlineData("--server", "http://h", "--bogus", "1")]
    [InlineData("--server")]
    public void ToRunnerOptions_MissingOrUnknownFlag_Throws(params string[] args) =>
        Assert.Throws<ArgumentException>(() => RunnerArguments.ToRunnerOptions(args));

    [Fact]
    public void Credentials_Saved_AreReadableOnlyByTheOwnerAndLoadBack()
    {
        using var dir = new TempDir();
        var credentials = new RunnerCredentials(new Uri("http://h/"), Guid.NewGuid(), "r1", "orch_r_secret");

        credentials.Save(dir.Path);

        var path = Path.Combine(dir.Path, RunnerCredentials.FileName);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
        Assert.Equal(credentials, RunnerCredentials.Load(dir.Path));
    }
}
