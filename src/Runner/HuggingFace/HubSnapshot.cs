namespace Runner.HuggingFace;

/// <summary>A complete local copy of the files a checkpoint needs from one commit of a Hub repository.</summary>
/// <param name="Directory">Holds the files at their repository paths; read it, never write to it.</param>
/// <param name="Sha256">Every file's sha256 (hex, lowercase), by path.</param>
/// <param name="BytesDownloaded">What this call fetched: 0 when the cache already held it all.</param>
internal sealed record HubSnapshot(
    string Directory, string Repository, string Commit, IReadOnlyDictionary<string, string> Sha256, long BytesDownloaded);
