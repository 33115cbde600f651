using System.Buffers;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using Runner.Agent;

namespace Runner.HuggingFace;

/// <summary>
/// Downloads one file of a Hub revision into <c>FILE.partial</c> and renames it into place once its size and checksum
/// match the Hub's listing (sha256 for LFS files, the git blob id for the others), so a file without the suffix is
/// always whole. A transfer that breaks is resumed from what arrived (<c>Range: bytes=N-</c>); a server that refuses
/// the range (416) or ignores it (200) gets the file from zero. A checksum mismatch deletes the bytes and fails.
/// </summary>
internal sealed class FileTransfer(HubClient client, TimeProvider time)
{
    public const int MaxAttempts = 4;
    /// <summary>A read that brings nothing for this long counts as a broken transfer.</summary>
    public static readonly TimeSpan StallTimeout = TimeSpan.FromSeconds(60);

    /// <summary>Returns the sha256 of the file now at <paramref name="target"/> and how many of its bytes this call brought
    /// (its size less what an earlier, interrupted call had left in the partial file).</summary>
    public async Task<(string Sha256, long Fetched)> RunAsync(
        string repository, string commit, HubFile file, string? token, string target, IStepLog log, CancellationToken cancellationToken)
    {
        var partial = target + ".partial";
        var progress = new TransferProgress(log, file, time);
        var kept = File.Exists(partial) ? Math.Min(new FileInfo(partial).Length, file.Size) : 0;
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                if (await TransferAsync(repository, commit, file, token, partial, progress, cancellationToken))
                {
                    break;
                }

                if (attempt >= MaxAttempts)
                {
                    throw new HubException($"{file.Path} of {repository}: the server refused every range asked for (HTTP 416)");
                }

                log.Write($"{file.Path}: the server refused to resume (HTTP 416): downloading it again from the start");
            }
            catch (Exception e) when (IsTransient(e, cancellationToken))
            {
                if (attempt >= MaxAttempts)
                {
                    throw new HubException($"{file.Path} of {repository}: the transfer broke {MaxAttempts} times, the last time with: {e.Message}", e);
                }

                log.Write($"{file.Path}: the transfer broke ({e.Message}): resuming from what arrived");
                await Task.Delay(TimeSpan.FromSeconds(attempt), time, cancellationToken);
            }
        }

        var sha256 = await VerifyAsync(repository, commit, file, partial, cancellationToken);
        File.Move(partial, target, overwrite: true);
        progress.Finished(file.IsLfs ? "sha256 verified" : file.BlobId is null ? "size verified" : "git blob id verified");
        return (sha256, file.Size - kept);
    }

    /// <summary>True once the partial file holds as many bytes as the Hub lists; false when the server refused the range
    /// or answered another one (the partial file is gone then, and the next request starts from zero).</summary>
    private async Task<bool> TransferAsync(
        string repository, string commit, HubFile file, string? token, string partial, TransferProgress progress, CancellationToken cancellationToken)
    {
        var offset = File.Exists(partial) ? new FileInfo(partial).Length : 0;
        if (offset >= file.Size)
        {
            // Whole already (verified next), or longer than the Hub says: then it is wrong, start again.
            if (offset == file.Size)
            {
                if (!File.Exists(partial)) await File.WriteAllBytesAsync(partial, [], cancellationToken);
                return true;
            }

            File.Delete(partial);
            offset = 0;
        }

        using var response = await client.GetFileAsync(repository, commit, file.Path, token, offset, cancellationToken);
        if (response.StatusCode == HttpStatusCode.RequestedRangeNotSatisfiable)
        {
            File.Delete(partial);
            return false;
        }

        response.EnsureSuccessStatusCode();
        if (response.StatusCode != HttpStatusCode.PartialContent)
        {
            offset = 0; // the whole file came instead of the range
        }
        else if (response.Content.Headers.ContentRange?.From != offset)
        {
            File.Delete(partial); // another range than asked for: start again from zero, as after a 416
            return false;
        }

        progress.Started(offset);
        await using var output = new FileStream(partial, offset > 0 ? FileMode.Open : FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16, useAsync: true);
        output.Seek(offset, SeekOrigin.Begin);
        output.SetLength(offset);
        await using var body = await response.Content.ReadAsStreamAsync(cancellationToken);
        using var stall = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var buffer = ArrayPool<byte>.Shared.Rent(1 << 20);
        try
        {
            var done = offset;
            while (true)
            {
                stall.CancelAfter(StallTimeout);
                var read = await body.ReadAsync(buffer, stall.Token);
                if (read == 0) break;
                if (done + read > file.Size)
                {
                    await output.DisposeAsync();
                    File.Delete(partial);
                    throw new HubException($"{file.Path} of {repository} at {commit}: the server sent more than the {file.Size} bytes the Hub lists; the file was not kept");
                }

                await output.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
                done += read;
                progress.Advanced(done);
            }

            if (done != file.Size)
            {
                throw new IOException($"the response ended at {done} of {file.Size} bytes");
            }

            return true;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static async Task<string> VerifyAsync(string repository, string commit, HubFile file, string partial, CancellationToken cancellationToken)
    {
        using var sha256 = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        // Git's blob id: sha1 of "blob SIZE\0" and the content. Used where the Hub lists no sha256 (files not in LFS).
        using var gitSha1 = IncrementalHash.CreateHash(HashAlgorithmName.SHA1);
        gitSha1.AppendData(Encoding.ASCII.GetBytes($"blob {file.Size}\0"));
        await using (var input = new FileStream(partial, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, useAsync: true))
        {
            var buffer = ArrayPool<byte>.Shared.Rent(1 << 20);
            try
            {
                int read;
                while ((read = await input.ReadAsync(buffer, cancellationToken)) > 0)
                {
                    sha256.AppendData(buffer, 0, read);
                    if (!file.IsLfs) gitSha1.AppendData(buffer, 0, read);
                }
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }
        }

        var actual = Convert.ToHexStringLower(sha256.GetHashAndReset());
        var (expected, got, kind) = file.IsLfs
            ? (file.Sha256, actual, "sha256")
            : (file.BlobId?.ToLowerInvariant(), Convert.ToHexStringLower(gitSha1.GetHashAndReset()), "git blob id");
        if (expected is not null && expected != got)
        {
            File.Delete(partial);
            throw new HubException(
                $"{file.Path} of {repository} at {commit} does not match its checksum (the Hub lists {kind} {expected}, the download has {got}): the file was not kept");
        }

        return actual;
    }

    private static bool IsTransient(Exception e, CancellationToken cancellationToken) => e switch
    {
        HubException => false,
        OperationCanceledException => !cancellationToken.IsCancellationRequested, // a stalled read, not the step's stop
        HttpRequestException { StatusCode: null or HttpStatusCode.TooManyRequests or >= HttpStatusCode.InternalServerError } => true,
        IOException => true,
        _ => false,
    };
}
