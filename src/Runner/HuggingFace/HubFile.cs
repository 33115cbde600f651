namespace Runner.HuggingFace;

/// <summary>One file of a Hub revision as the revision API lists it: its path in the repository, its size, and its
/// checksums: <see cref="Sha256"/> for files stored in LFS (the weights), the git blob id for every file.</summary>
internal sealed record HubFile(string Path, long Size, string? Sha256, string? BlobId)
{
    public bool IsLfs => Sha256 is not null;
}
