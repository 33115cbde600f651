namespace CloudTargets.Tests.Fakes;

/// <summary>An injected error answer for the next <see cref="Remaining"/> requests that match method and path fragment.</summary>
internal sealed class Fault(string method, string pathContains, Reply reply, int times)
{
    public string Method { get; } = method;
    public string PathContains { get; } = pathContains;
    public Reply Reply { get; } = reply;
    public int Remaining { get; set; } = times;

    public bool Matches(string method, string path) =>
        Remaining > 0 && Method == method && path.Contains(PathContains, StringComparison.Ordinal);
}
