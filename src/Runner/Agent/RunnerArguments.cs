using System.ComponentModel.DataAnnotations;
using System.Globalization;
using Microsoft.Extensions.Configuration;

namespace Runner.Agent;

/// <summary>Flags of <c>runner run</c> and <c>runner front</c>: <c>--name value</c> or <c>--name=value</c>.</summary>
internal static class RunnerArguments
{
    public static Dictionary<string, string> Parse(IReadOnlyList<string> args)
    {
        var flags = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            if (!arg.StartsWith("--", StringComparison.Ordinal) || arg.Length == 2)
            {
                throw new ArgumentException($"unexpected argument '{arg}'");
            }

            var eq = arg.IndexOf('=', StringComparison.Ordinal);
            if (eq > 0)
            {
                flags[arg[2..eq]] = arg[(eq + 1)..];
            }
            else if (i + 1 < args.Count && !args[i + 1].StartsWith("--", StringComparison.Ordinal))
            {
                flags[arg[2..]] = args[++i];
            }
            else
            {
                throw new ArgumentException($"flag {arg} needs a value");
            }
        }

        return flags;
    }

    public static RunnerOptions ToRunnerOptions(IReadOnlyList<string> args)
    {
        var settings = Bind(args);
        var server = settings.Server!;
        return new RunnerOptions
        {
            Server = new Uri(server.EndsWith('/') ? server : server + "/"),
            RegistrationToken = NullIfEmpty(settings.RegistrationToken) ?? NullIfEmpty(Environment.GetEnvironmentVariable("RUNNER_REGISTRATION_TOKEN")),
            Labels = settings.Labels.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries),
            Name = settings.Name ?? Environment.MachineName,
            WorkDir = Path.GetFullPath(settings.WorkDir),
            StateDirOverride = settings.StateDir is { } state ? Path.GetFullPath(state) : null,
            EnginePath = settings.Engine,
            ShutdownGrace = TimeSpan.FromSeconds(settings.ShutdownGrace),
            DrainDelay = TimeSpan.FromSeconds(settings.DrainSeconds),
            ReplicaStopGrace = TimeSpan.FromSeconds(settings.ReplicaStopGrace),
            ChildStop = new StopGracesOption(TimeSpan.FromSeconds(settings.ChildStopGrace), TimeSpan.FromSeconds(settings.ChildStopGrace)),
            ClaimWaitSeconds = settings.ClaimWait,
            Slots = settings.Slots,
            MetricsPort = settings.MetricsPort,
            HuggingFaceEndpoint = HuggingFace.HubEndpoint.Default(NullIfEmpty(settings.HuggingFaceEndpoint)),
        };
    }

    /// <summary>The flags bound to <see cref="RunnerSettings"/> and validated; a flag it does not have, a value of the
    /// wrong type or one out of range is an <see cref="ArgumentException"/> naming the flag.</summary>
    public static RunnerSettings Bind(IReadOnlyList<string> args)
    {
        var flags = Parse(args);
        var known = typeof(RunnerSettings).GetProperties().ToDictionary(p => Flag(p.Name), p => p.Name, StringComparer.Ordinal);
        if (flags.Keys.FirstOrDefault(f => !known.ContainsKey(f)) is { } unknown) throw new ArgumentException($"unknown flag --{unknown}");
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(flags.Select(f => KeyValuePair.Create($"{RunnerSettings.Section}:{known[f.Key]}", (string?)f.Value)))
            .Build();
        var settings = new RunnerSettings();
        try
        {
            configuration.GetSection(RunnerSettings.Section).Bind(settings);
        }
        catch (InvalidOperationException e)
        {
            var flag = flags.Keys.FirstOrDefault(f => e.Message.Contains($"{RunnerSettings.Section}:{known[f]}", StringComparison.Ordinal));
            throw new ArgumentException(flag is null ? e.Message : $"--{flag}: '{flags[flag]}' is not a valid value");
        }

        var errors = new List<ValidationResult>();
        if (!Validator.TryValidateObject(settings, new ValidationContext(settings), errors, validateAllProperties: true))
            throw new ArgumentException(string.Join("; ", errors.Select(e => e.ErrorMessage)));
        return settings;
    }

    // ClaimWait -> claim-wait
    private static string Flag(string property) =>
        string.Concat(property.Select((c, i) => char.IsUpper(c) && i > 0 ? "-" + char.ToLowerInvariant(c) : char.ToLowerInvariant(c).ToString()));

    public static Front.FrontOptions ToFrontOptions(IReadOnlyList<string> args)
    {
        var flags = Parse(args);
        string Required(string name) => flags.Remove(name, out var v) ? v : throw new ArgumentException($"--{name} is required");
        var options = new Front.FrontOptions
        {
            StateDir = Path.GetFullPath(Required("state-dir")),
            Environment = Required("environment"),
            Port = int.Parse(Required("port"), CultureInfo.InvariantCulture),
        };
        return flags.Count == 0 ? options : throw new ArgumentException($"unknown flag --{flags.Keys.First()}");
    }

    private static string? NullIfEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;
}
