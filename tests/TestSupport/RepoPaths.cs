namespace TestSupport;

/// <summary>The repository this test runs from, and the programs under test, built in the same configuration as the
/// running test assembly.</summary>
public static class RepoPaths
{
    /// <summary>The folder holding <c>Orchestrator.sln</c>, found by walking up from the test's base directory.</summary>
    public static string Root { get; } = FindRoot();

    /// <summary><c>Debug</c> or <c>Release</c>, read from the test assembly's own <c>bin/CONFIG/net10.0</c> folder.</summary>
    public static string Configuration { get; } = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd('/')).Parent!.Name;

    public static string OrchestratorDll => Output("Orchestrator", "orchestrator.dll");
    public static string RunnerDll => Output("Runner", "runner.dll");
    public static string EngineDll => Output("EngineImage", "engine.dll");

    private static string Output(string project, string file)
    {
        var path = Path.Combine(Root, "src", project, "bin", Configuration, "net10.0", file);
        return File.Exists(path) ? path : throw new FileNotFoundException($"{path} is missing: build the solution in {Configuration} first", path);
    }

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Orchestrator.sln"))) return dir.FullName;
        }
        throw new InvalidOperationException($"no Orchestrator.sln above {AppContext.BaseDirectory}");
    }
}
