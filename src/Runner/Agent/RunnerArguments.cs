using System.Globalization;

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
        var flags = Parse(args);
        string Required(string name) => flags.Remove(name, out var v) ? v : throw new ArgumentException($"--{name} is required");
        string? Optional(string name) => flags.Remove(name, out var v) ? v : null;
        TimeSpan? Seconds(string name) => Optional(name) is { } v ? TimeSpan.FromSeconds(double.Parse(v, CultureInfo.InvariantCulture)) : null;

        var server = Required("server");
        var options = new RunnerOptions
        {
            Server = new Uri(server.EndsWith('/') ? server : server + "/"),
            RegistrationToken = Optional("registration-token") ?? NullIfEmpty(Environment.GetEnvironmentVariable("RUNNER_REGISTRATION_TOKEN")),
            Labels = (Optional("labels") ?? "local").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries),
            Name = Optional("name") ?? Environment.MachineName,
            WorkDir = Path.GetFullPath(Optional("work-dir") ?? "_work"),
        };
        options.StateDirOverride = Optional("state-dir") is { } state ? Path.GetFullPath(state) : null;
        options.EnginePath = Optional("engine") ?? options.EnginePath;
        options.ShutdownGrace = Seconds("shutdown-grace") ?? options.ShutdownGrace;
        options.DrainDelay = Seconds("drain-seconds") ?? options.DrainDelay;
        options.ReplicaStopGrace = Seconds("replica-stop-grace") ?? options.ReplicaStopGrace;
        if (Seconds("child-stop-grace") is { } childGrace)
        {
            options.ChildStop = new StopGracesOption(childGrace, childGrace);
        }

        if (Optional("claim-wait") is { } wait)
        {
            options.ClaimWaitSeconds = int.Parse(wait, CultureInfo.InvariantCulture);
        }

        return flags.Count == 0 ? options : throw new ArgumentException($"unknown flag --{flags.Keys.First()}");
    }

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
