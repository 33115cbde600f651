using System.Globalization;

namespace EndToEnd.Tests.Infrastructure;

/// <summary>
/// A thin wrapper the runner is told to use as its engine program: it runs the real engine, but a
/// <c>hold-VERB</c> file makes that verb wait first and a <c>fail-VERB</c> file makes it exit 1. That turns
/// "kill it in the middle of a step" from a race into a certainty. The wrapper records each start's pid in
/// <c>pids-VERB</c>; since it execs the engine, the pid and start time stay those of the real engine process.
/// </summary>
internal sealed class EngineGate
{
    private readonly string _dir;

    public EngineGate(string dir)
    {
        _dir = dir;
        Directory.CreateDirectory(dir);
        Program = Path.Combine(dir, "engine");
        File.WriteAllText(Program, $$"""
            #!/bin/sh
            gate="{{dir}}"
            verb="$1"
            echo $$ >>"$gate/pids-$verb"
            while [ -e "$gate/hold-$verb" ]; do sleep 0.1; done
            if [ -e "$gate/fail-$verb" ]; then echo "engine $verb: failing on purpose (test gate)" >&2; exit 1; fi
            exec dotnet "{{RepoPaths.EngineDll}}" "$@"
            """ + "\n");
        File.SetUnixFileMode(Program, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
    }

    /// <summary>Pass this as the runner's <c>--engine</c>.</summary>
    public string Program { get; }

    public void Hold(string verb) => File.WriteAllText(GatePath("hold", verb), "");
    public void Release(string verb) => File.Delete(GatePath("hold", verb));
    public void Fail(string verb) => File.WriteAllText(GatePath("fail", verb), "");
    public void Heal(string verb) => File.Delete(GatePath("fail", verb));

    /// <summary>Every pid the verb was started with, in order.</summary>
    public IReadOnlyList<int> Pids(string verb)
    {
        var path = GatePath("pids", verb);
        return File.Exists(path)
            ? File.ReadAllLines(path).Where(l => l.Length > 0).Select(l => int.Parse(l, CultureInfo.InvariantCulture)).ToList()
            : [];
    }

    private string GatePath(string kind, string verb) => Path.Combine(_dir, $"{kind}-{verb}");
}
