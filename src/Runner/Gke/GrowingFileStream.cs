namespace Runner.Gke;

/// <summary>
/// Reads a file while another process writes it front to back (our converter writes <c>NAME.partial</c>, then renames
/// it to <c>NAME</c>; the open handle follows the rename). A read that finds no new bytes waits for more; the end of the
/// stream comes only once <see cref="Finish"/> says the writer succeeded and every byte was read, so a resumable
/// upload of it is completed only with the whole file. <see cref="Fail"/> makes the pending and later reads throw,
/// which abandons the upload without creating the object.
/// </summary>
internal sealed class GrowingFileStream(string path) : Stream
{
    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(20);
    private readonly TaskCompletionSource<bool> _writerDone = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private FileStream? _file;
    private long _position;

    public void Finish() => _writerDone.TrySetResult(true);

    public void Fail(string why) => _writerDone.TrySetException(new IOException($"{path}: the writer failed ({why}); the upload is abandoned"));

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => _position; set => throw new NotSupportedException(); }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        while (true)
        {
            var finished = _writerDone.Task.IsCompleted;
            if (finished) await _writerDone.Task; // throws when the writer failed
            var file = _file ??= Open();
            if (file is not null)
            {
                var read = await file.ReadAsync(buffer, cancellationToken);
                if (read > 0 || finished)
                {
                    _position += read;
                    return read;
                }
            }
            else if (finished)
            {
                throw new FileNotFoundException($"{path} was not written", path);
            }

            await Task.WhenAny(_writerDone.Task, Task.Delay(Poll, cancellationToken));
            cancellationToken.ThrowIfCancellationRequested();
        }
    }

    public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

    // The finished name first: after the rename the partial one is gone.
    private FileStream? Open()
    {
        foreach (var candidate in new[] { path, path + ".partial" })
        {
            try
            {
                return new FileStream(candidate, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 1 << 20, useAsync: true);
            }
            catch (FileNotFoundException)
            {
            }
            catch (DirectoryNotFoundException)
            {
            }
        }

        return null;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing) _file?.Dispose();
        base.Dispose(disposing);
    }

    public override void Flush() { }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
