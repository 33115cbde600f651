namespace Orchestrator.Hosting;

/// <summary>
/// Where the connection string comes from, lowest to highest precedence: config <c>Database:ConnectionString</c>,
/// env <c>ORCHESTRATOR_DB</c>, flag <c>--db</c>. Shared by <c>serve</c> and the admin verbs.
/// </summary>
public static class OrchestratorConfiguration
{
    private static readonly Dictionary<string, string> SwitchMappings = new(StringComparer.Ordinal)
    {
        ["--db"] = "Database:ConnectionString",
    };

    public static IConfigurationBuilder AddOrchestratorSources(this IConfigurationBuilder configuration, string[] args)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        if (Environment.GetEnvironmentVariable("ORCHESTRATOR_DB") is { Length: > 0 } db)
            configuration.AddInMemoryCollection([KeyValuePair.Create<string, string?>("Database:ConnectionString", db)]);
        return configuration.AddCommandLine(args, SwitchMappings);
    }

    /// <summary>The value of <c>--name value</c> or <c>--name=value</c>, for the admin verbs' own flags.</summary>
    public static string? Flag(string[] args, string name)
    {
        ArgumentNullException.ThrowIfNull(args);
        for (var i = 0; i < args.Length; i++)
        {
            if (args[i] == name && i + 1 < args.Length) return args[i + 1];
            if (args[i].StartsWith(name + "=", StringComparison.Ordinal)) return args[i][(name.Length + 1)..];
        }
        return null;
    }
}
