using System.Text.Json;
using Contracts;
using Runner.Processes;

namespace Runner.Local;

/// <summary><c>revision.json</c>: which converted checkpoint a revision serves (cleanup removes artifacts no kept
/// revision uses).</summary>
internal sealed record RevisionInfo(string Revision, string CheckpointDir, string CheckpointPath, string TokenizerPath, int Replicas)
{
    public static RevisionInfo? Load(string path) =>
        File.Exists(path) ? JsonSerializer.Deserialize<RevisionInfo>(File.ReadAllText(path), ContractJson.Options) : null;

    public void Save(string path) => AtomicFile.WriteAllText(path, JsonSerializer.Serialize(this, ContractJson.Options));
}
