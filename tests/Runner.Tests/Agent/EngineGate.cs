using System.Globalization;
using Runner.Tests.Local;

namespace Runner.Tests.Agent;

/// <summary>
/// The runner's <c>--engine</c> for agent tests: runs the real engine, but a <c>hold-VERB</c> file makes that verb wait
/// first (so "stop it in the middle" is a certainty, not a race) and a <c>fail-VERB</c> file makes it exit 1. Each start
/// appends its pid to <c>pids-VERB</c>.
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
            verb="$1"
            echo $$ >>"{{dir}}/pids-$verb"
            while [ -e "{{dir}}/hold-$verb" ]; do sleep 0.1; done
            if [ -e "{{dir}}/fail-$verb" ]; then echo "engine $verb: failing on purpose" >&2; exit 1; fi
            exec dotnet "{{EngineBuild.Dll}}" "$@"
            """ + "\n");
        File.SetUnixFileMode(Program, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
    }

    public string Program { get; }

    public void Hold(string verb) => File.WriteAllText(Path.Combine(_dir, $"hold-{verb}"), "");

    public void Release(string verb) => File.Delete(Path.Combine(_dir, $"hold-{verb}"));

    public void Fail(string verb) => File.WriteAllText(Path.Combine(_dir, $"fail-{verb}"), "");

    public IReadOnlyList<int> Pids(string verb)
    {
        var path = Path.Combine(_dir, $"pids-{verb}");
        return File.Exists(path)
            ? File.ReadAllLines(path).Where(l => l.Length > 0).Select(l => int.Parse(l, CultureInfo.InvariantCulture)).ToList()
            : [];
    }
}
