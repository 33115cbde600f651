using System.Diagnostics;

namespace CloudTargets.Tests.Infrastructure;

/// <summary>The engine this solution built (same configuration as this test assembly), and a small Hugging Face
/// checkpoint made with it.</summary>
internal static class EnginePaths
{
    public static string EngineDll { get; } = Find();

    /// <summary>Writes a tiny Llama 3 checkpoint in Hugging Face's layout into <paramref name="dir"/>.</summary>
    public static async Task MakeTinyLlamaAsync(string dir)
    {
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[] { EngineDll, "make-test-model", "--family", "llama-3", "--size", "tiny", "--out", dir }) info.ArgumentList.Add(a);
        using var process = Process.Start(info)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0) throw new InvalidOperationException($"engine make-test-model failed ({process.ExitCode}): {await output}{errors}");
    }

    private static string Find()
    {
        var configuration = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd('/')).Parent!.Name;
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (!File.Exists(Path.Combine(dir.FullName, "Orchestrator.sln"))) continue;
            var path = Path.Combine(dir.FullName, "src", "EngineImage", "bin", configuration, "net10.0", "engine.dll");
            return File.Exists(path) ? path : throw new FileNotFoundException($"{path} is missing: build the solution in {configuration} first", path);
        }

        throw new InvalidOperationException($"no Orchestrator.sln above {AppContext.BaseDirectory}");
    }
}
