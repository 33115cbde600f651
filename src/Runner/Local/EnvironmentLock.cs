namespace Runner.Local;

/// <summary>
/// <c>STATE_DIR/ENV/routing.lock</c>: whoever changes which replicas of an environment take traffic (the traffic and
/// rollback steps, the autoscaler) holds it from reading the replicas to the front serving the new table, so that a
/// replica the autoscaler drains is never routed again by a step, nor a step's table overwritten by a stale one. An
/// exclusive open, which .NET on Unix backs with an advisory <c>flock</c>: it holds across processes and within one,
/// and goes with the process that dies holding it.
/// </summary>
internal sealed class EnvironmentLock : IDisposable
{
    private readonly FileStream _stream;

    private EnvironmentLock(FileStream stream) => _stream = stream;

    public static async Task<EnvironmentLock> AcquireAsync(LocalLayout layout, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(layout);
        Directory.CreateDirectory(layout.EnvironmentDir);
        var path = Path.Combine(layout.EnvironmentDir, "routing.lock");
        while (true)
        {
            try
            {
                return new EnvironmentLock(new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None));
            }
            catch (IOException)
            {
                await Task.Delay(50, cancellationToken);
            }
        }
    }

    public void Dispose() => _stream.Dispose();
}
