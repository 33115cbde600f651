using System.Collections.Concurrent;
using Contracts.Specs;
using Runner.Agent;

namespace Runner.HuggingFace;

/// <summary>
/// Brings the files a checkpoint conversion needs from one revision of a Hugging Face repository into a local cache:
/// the revision is resolved to its commit (the cache key: a branch moves), only the configs, tokenizer files and
/// safetensors weights are fetched, a few at once, each verified against the Hub's checksums, and a marker with every
/// checksum is written last. A later call for the same commit finds the marker and downloads nothing. Independent of
/// any target: give it a source, a token (or null for a public model) and a cache directory.
/// </summary>
internal sealed class HubDownload(HubClient client, SecretMasker masker, TimeProvider time)
{
    public const int ParallelFiles = 4;

    /// <exception cref="HubException">No access to the repository (401/403), no such repository, revision or file (404),
    /// a file that fails its checksum, or a revision without safetensors weights.</exception>
    public async Task<HubSnapshot> DownloadAsync(HubSource source, string? token, string cacheDir, IStepLog log, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(source);
        masker.Add(token);
        var cache = new HubCache(cacheDir, source.Repository);
        if (source.IsCommit && cache.TryReuse(source.Revision) is { } pinned)
        {
            log.Write($"{source}: every file is in the cache at {pinned.Directory} (sizes match): nothing to download");
            return pinned;
        }

        var revision = await client.GetRevisionAsync(source, token, cancellationToken);
        var files = CheckpointFiles.Select(revision.Files);
        log.Write($"{source} is commit {revision.Commit} on {client.Endpoint}: {files.Count} of its {revision.Files.Count} files are needed " +
                  $"({TransferProgress.Size(files.Sum(f => Math.Max(0, f.Size)))})");
        if (!files.Any(f => f.Path.EndsWith(".safetensors", StringComparison.Ordinal)))
        {
            throw new HubException($"{source} (commit {revision.Commit}) has no safetensors weights at its top level: the converter reads *.safetensors only");
        }

        if (files.FirstOrDefault(f => f.Size < 0) is { } unsized)
        {
            throw new HubException($"the Hub listed no size for {unsized.Path} of {source}: cannot verify it");
        }

        if (cache.TryReuse(revision.Commit, files) is { } cached)
        {
            log.Write($"{source}: every file is in the cache at {cached.Directory} (checksums and sizes match): nothing to download");
            return cached;
        }

        return await FetchAsync(source, revision.Commit, files, token, cache, log, cancellationToken);
    }

    private async Task<HubSnapshot> FetchAsync(
        HubSource source, string commit, IReadOnlyList<HubFile> files, string? token, HubCache cache, IStepLog log, CancellationToken cancellationToken)
    {
        var dir = cache.SnapshotDir(commit);
        Directory.CreateDirectory(dir);
        cache.RemoveMarker(commit);
        var transfer = new FileTransfer(client, time);
        var sha256 = new ConcurrentDictionary<string, string>(StringComparer.Ordinal);
        long fetched = 0;
        var options = new ParallelOptions { MaxDegreeOfParallelism = ParallelFiles, CancellationToken = cancellationToken };
        // Largest first, so the long transfers start at once and the small ones fill the gaps.
        await Parallel.ForEachAsync(files.OrderByDescending(f => f.Size), options, async (file, ct) =>
        {
            var target = Path.Combine(dir, file.Path);
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            if (await KeptAsync(file, target, ct) is { } kept)
            {
                sha256[file.Path] = kept;
                return;
            }

            var (hash, bytes) = await transfer.RunAsync(source.Repository, commit, file, token, target, log, ct);
            sha256[file.Path] = hash;
            Interlocked.Add(ref fetched, bytes);
        });

        cache.WriteMarker(commit, files, sha256);
        log.Write($"{source}: {files.Count} files in {dir} ({TransferProgress.Size(fetched)} downloaded)");
        return new HubSnapshot(dir, source.Repository, commit, new Dictionary<string, string>(sha256, StringComparer.Ordinal), fetched);
    }

    /// <summary>The sha256 of a file an earlier, interrupted download already completed (it was verified before it got
    /// its name); null when it must be fetched.</summary>
    private static async Task<string?> KeptAsync(HubFile file, string target, CancellationToken cancellationToken)
    {
        if (new FileInfo(target) is not { Exists: true } info || info.Length != file.Size)
        {
            return null;
        }

        if (file.Sha256 is { } listed)
        {
            return listed;
        }

        await using var stream = File.OpenRead(target);
        return Convert.ToHexStringLower(await System.Security.Cryptography.SHA256.HashDataAsync(stream, cancellationToken));
    }
}
