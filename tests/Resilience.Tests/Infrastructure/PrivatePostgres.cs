namespace Resilience.Tests.Infrastructure;

/// <summary>A PostgreSQL cluster of the test's own (scripts/pg.sh), so that it can be restarted without touching the
/// shared test server. As root the cluster belongs to the <c>postgres</c> user, as pg.sh arranges it.</summary>
public sealed class PrivatePostgres : IAsyncDisposable
{
    private PrivatePostgres(string dir, string connectionString)
    {
        Dir = dir;
        ConnectionString = connectionString;
    }

    public string Dir { get; }
    public string ConnectionString { get; }

    public static async Task<PrivatePostgres> StartAsync()
    {
        var dir = Path.Combine(Path.GetTempPath(), "resilience-pg-" + Guid.NewGuid().ToString("N")[..8]);
        var port = FreePort.Next().ToString(System.Globalization.CultureInfo.InvariantCulture);
        var result = await Commands.RunAsync(Script, ["start", dir, port], new Dictionary<string, string?>(), TimeSpan.FromMinutes(3));
        if (result.ExitCode != 0) throw new InvalidOperationException($"pg.sh start failed: {result}");
        return new PrivatePostgres(dir, result.Stdout.Trim());
    }

    /// <summary><c>pg_ctl restart -m fast</c>: every connection is cut, in-flight transactions roll back.</summary>
    public async Task RestartFastAsync()
    {
        var bin = Directory.GetDirectories("/usr/lib/postgresql").Select(d => Path.Combine(d, "bin", "pg_ctl")).First(File.Exists);
        string[] args = ["-D", Path.Combine(Dir, "data"), "-m", "fast", "-w", "-t", "60", "restart"];
        var result = Environment.UserName == "root" || Environment.GetEnvironmentVariable("USER") == "root"
            ? await Commands.RunAsync("runuser", ["-u", "postgres", "--", bin, .. args], new Dictionary<string, string?>(), TimeSpan.FromMinutes(2))
            : await Commands.RunAsync(bin, args, new Dictionary<string, string?>(), TimeSpan.FromMinutes(2));
        if (result.ExitCode != 0) throw new InvalidOperationException($"pg_ctl restart failed: {result}");
    }

    private static string Script => Path.Combine(RepoPaths.Root, "scripts", "pg.sh");

    public async ValueTask DisposeAsync()
    {
        await Commands.RunAsync(Script, ["stop", Dir], new Dictionary<string, string?>(), TimeSpan.FromMinutes(1));
        try
        {
            Directory.Delete(Dir, recursive: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // In the temp folder; a server that would not stop still holds it.
        }
    }
}
