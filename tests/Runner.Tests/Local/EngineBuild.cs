namespace Runner.Tests.Local;

/// <summary>The real engine, built in the same configuration as this test assembly (the project references it).</summary>
internal static class EngineBuild
{
    public static string Dll { get; } = Find();

    private static string Find()
    {
        var configuration = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd('/')).Parent!.Name;
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Orchestrator.sln")))
            {
                var dll = Path.Combine(dir.FullName, "src", "EngineImage", "bin", configuration, "net10.0", "engine.dll");
                return File.Exists(dll) ? dll : throw new FileNotFoundException($"{dll} is missing: build the solution first", dll);
            }
        }

        throw new InvalidOperationException($"no Orchestrator.sln above {AppContext.BaseDirectory}");
    }
}
