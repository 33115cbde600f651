namespace Runner.Local;

/// <summary>How to start this same program with other arguments (the front is <c>runner front …</c>), whether it runs
/// from its apphost or as <c>dotnet runner.dll</c> (as under a test host).</summary>
internal static class SelfCommand
{
    public static Processes.ProcessCommand Create(params string[] arguments)
    {
        var assembly = typeof(SelfCommand).Assembly.Location;
        var apphost = Path.Combine(Path.GetDirectoryName(assembly) ?? ".", Path.GetFileNameWithoutExtension(assembly));
        return File.Exists(apphost) && !OperatingSystem.IsWindows()
            ? new Processes.ProcessCommand(apphost, arguments)
            : new Processes.ProcessCommand(assembly, arguments);
    }
}
