using CloudTargets.Tests.Infrastructure;
using Contracts;

namespace CloudTargets.Tests.Gke;

/// <summary>Preflight "the credentials can be obtained": the first gke step fails at once, naming the credential source,
/// before any API call creates (or even reads) anything.</summary>
public sealed class CredentialsPreflightTests
{
    [Fact]
    public async Task ClusterEnsure_KeyFileMissing_FailsNamingTheSourceWithNoCalls()
    {
        var missing = Path.Combine(Path.GetTempPath(), $"no-such-key-{Guid.NewGuid():N}.json");
        await using var h = await CloudHarness.StartAsync(credentialFile: missing);

        var (result, _) = await h.RunAsync(Specs.Gke(h.TokenFile), StepKinds.ClusterEnsure);

        Assert.Equal(StepStatuses.Failed, result.Outcome);
        Assert.Contains($"cannot load the Google Cloud credentials from the service account key file {missing} (RUNNER_GCP_CREDENTIALS)",
            result.Error, StringComparison.Ordinal);
        Assert.Empty(h.Google.Calls);
    }

    [Fact]
    public async Task ClusterEnsure_TokenRefused_FailsAtOnceWithZeroApiCalls()
    {
        await using var h = await CloudHarness.StartAsync();
        h.Google.RejectTokens = true;

        var (result, _) = await h.RunAsync(Specs.Gke(h.TokenFile), StepKinds.ClusterEnsure);

        Assert.Equal(StepStatuses.Failed, result.Outcome);
        Assert.Contains("cannot obtain an access token from the service account key file", result.Error, StringComparison.Ordinal);
        Assert.Contains("invalid_grant", result.Error, StringComparison.Ordinal);
        // Only the token endpoint was asked; no API call, so nothing was created.
        Assert.NotEmpty(h.Google.Calls);
        Assert.All(h.Google.Calls, c => Assert.Equal("/token", c.Path));
        Assert.Null(h.Google.Cluster("projects/demo-project/locations/us-west4/clusters/jetstream"));
    }

    [Fact]
    public async Task ClusterEnsure_GoodCredentials_LogsTheSourceThenCreates()
    {
        await using var h = await CloudHarness.StartAsync();

        var (result, log) = await h.RunAsync(Specs.Gke(h.TokenFile), StepKinds.ClusterEnsure);

        Assert.True(result.Outcome == StepStatuses.Succeeded, result.Error);
        Assert.Contains("credentials: obtained an access token from the service account key file", log.Lines[0], StringComparison.Ordinal);
    }
}
