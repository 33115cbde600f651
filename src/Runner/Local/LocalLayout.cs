using System.Globalization;
using System.Text.RegularExpressions;

namespace Runner.Local;

/// <summary>
/// The state directory of the local target:
/// <code>
/// STATE_DIR/ENV/routes.json                          the front's routing table
/// STATE_DIR/ENV/front.json, front.log                the front process (record, output)
/// STATE_DIR/ENV/revisions/REV/revision.json          which converted checkpoint the revision serves
/// STATE_DIR/ENV/revisions/REV/replica-N.json, .log   each engine replica (record, output)
/// </code>
/// </summary>
internal sealed partial class LocalLayout(string stateDir, string environment)
{
    public string StateDir { get; } = stateDir;
    public string EnvironmentDir { get; } = Path.Combine(stateDir, environment);
    public string RoutesPath => Path.Combine(EnvironmentDir, "routes.json");
    public string FrontRecordPath => Path.Combine(EnvironmentDir, "front.json");
    public string FrontLogPath => Path.Combine(EnvironmentDir, "front.log");
    public string RevisionsDir => Path.Combine(EnvironmentDir, "revisions");

    public string RevisionDir(string revision) => Path.Combine(RevisionsDir, revision);

    public string RevisionInfoPath(string revision) => Path.Combine(RevisionDir(revision), "revision.json");

    public string ReplicaRecordPath(string revision, int index) => Path.Combine(RevisionDir(revision), $"replica-{index}.json");

    public string ReplicaLogPath(string revision, int index) => Path.Combine(RevisionDir(revision), $"replica-{index}.log");

    public IEnumerable<string> ReplicaRecordPaths(string revision) =>
        Directory.Exists(RevisionDir(revision))
            ? Directory.EnumerateFiles(RevisionDir(revision), "replica-*.json").Order(StringComparer.Ordinal)
            : [];

    /// <summary>Every revision with state here, newest first (by the number in <c>rN</c>).</summary>
    public IReadOnlyList<string> Revisions() =>
        Directory.Exists(RevisionsDir)
            ? Directory.EnumerateDirectories(RevisionsDir).Select(Path.GetFileName).OfType<string>()
                .OrderByDescending(RevisionNumber).ThenByDescending(r => r, StringComparer.Ordinal).ToList()
            : [];

    /// <summary>Record files of every engine replica of every environment in this state directory (for port choice).</summary>
    public IEnumerable<string> AllReplicaRecordPaths() =>
        Directory.Exists(StateDir)
            ? Directory.EnumerateFiles(StateDir, "replica-*.json", SearchOption.AllDirectories)
            : [];

    public static long RevisionNumber(string revision) =>
        RevisionPattern().Match(revision) is { Success: true } m ? long.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture) : -1;

    [GeneratedRegex(@"^r(\d{1,18})$")]
    private static partial Regex RevisionPattern();
}
