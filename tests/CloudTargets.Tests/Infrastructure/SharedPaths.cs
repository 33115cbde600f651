namespace CloudTargets.Tests.Infrastructure;

/// <summary>Finds <c>shared/schemas</c> beside the repository root by walking up from the test's base directory (in CI
/// the repository is a fresh clone with <c>shared/</c> beside it).</summary>
internal static class SharedPaths
{
    public static string Schemas { get; } = Find();

    private static string Find()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "shared", "schemas");
            if (Directory.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new DirectoryNotFoundException($"no shared/schemas above {AppContext.BaseDirectory}");
    }
}
