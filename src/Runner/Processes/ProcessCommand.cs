namespace Runner.Processes;

/// <summary>A program and its arguments; a <c>.dll</c> program runs through the <c>dotnet</c> host.</summary>
internal sealed record ProcessCommand(string FileName, IReadOnlyList<string> Arguments)
{
    public string? WorkingDirectory { get; init; }

    /// <summary>The argv actually executed: <c>dotnet x.dll …</c> for a managed assembly, the file itself otherwise.</summary>
    public IReadOnlyList<string> Argv =>
        FileName.EndsWith(".dll", StringComparison.OrdinalIgnoreCase)
            ? [DotnetHost, FileName, .. Arguments]
            : [FileName, .. Arguments];

    private static string DotnetHost =>
        Environment.ProcessPath is { } host && Path.GetFileNameWithoutExtension(host) == "dotnet" ? host : "dotnet";

    public override string ToString() => string.Join(' ', Argv.Select(Quote));

    private static string Quote(string arg) =>
        arg.Length > 0 && !arg.Any(c => char.IsWhiteSpace(c) || c is '"' or '\'' or '$' or '\\')
            ? arg
            : "'" + arg.Replace("'", "'\\''", StringComparison.Ordinal) + "'";
}
