using System.Globalization;

namespace TestSupport;

/// <summary>
/// A thin wrapper the runner is told to use as its engine program: it runs the real engine, but a
/// <c>hold-VERB</c> file makes that verb wait first and a <c>fail-VERB</c> file makes it exit 1. That turns
/// "kill it in the middle of a step" from a race into a certainty. The wrapper records each start's pid in
/// <c>pids-VERB</c> (and, with its arguments, in <c>starts-VERB</c>); since it execs the engine, the pid and start time
/// stay those of the real engine process. A <c>chatter-VERB</c> file makes a held verb print a numbered line every
/// tenth of a second (<c>gate VERB line N</c>), for tests about the lines a step ships.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class EngineGate
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
            echo "$$ $*" >>"$gate/starts-$verb"
            n=0
            while [ -e "$gate/hold-$verb" ]; do
              if [ -e "$gate/chatter-$verb" ]; then n=$((n+1)); echo "gate $verb line $n"; fi
              sleep 0.1
            done
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
    public void Chatter(string verb) => File.WriteAllText(GatePath("chatter", verb), "");

    /// <summary>Every pid the verb was started with, in order.</summary>
    public IReadOnlyList<int> Pids(string verb)
    {
        var path = GatePath("pids", verb);
        return File.Exists(path)
            ? File.ReadAllLines(path).Where(l => l.Length > 0).Select(l => int.Parse(l, CultureInfo.InvariantCulture)).ToList()
            : [];
    }

    /// <summary>Every start of the verb, in order: its pid and its arguments after the verb's name.</summary>
    public IReadOnlyList<(int Pid, string Arguments)> Starts(string verb)
    {
        var path = GatePath("starts", verb);
        if (!File.Exists(path)) return [];
        return File.ReadAllLines(path).Where(l => l.Length > 0)
            .Select(l => l.Split(' ', 2))
            .Select(parts => (int.Parse(parts[0], CultureInfo.InvariantCulture), parts.Length > 1 ? parts[1] : ""))
            .ToList();
    }

    private string GatePath(string kind, string verb) => Path.Combine(_dir, $"{kind}-{verb}");
}
