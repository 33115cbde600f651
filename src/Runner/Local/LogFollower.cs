using System.Text;

namespace Runner.Local;

/// <summary>Reads the lines a detached process appended to its log file since the last call (whole lines only).</summary>
internal sealed class LogFollower(string path, string prefix)
{
    private long _offset;
    private string _partial = "";

    /// <summary>Starts at the file's current end, so an adopted process's old output is not shipped again.</summary>
    public static LogFollower FromEnd(string path, string prefix) =>
        new(path, prefix) { _offset = File.Exists(path) ? new FileInfo(path).Length : 0 };

    public IReadOnlyList<string> ReadNewLines()
    {
        if (!File.Exists(path))
        {
            return [];
        }

        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        if (stream.Length < _offset)
        {
            _offset = 0;
        }

        stream.Seek(_offset, SeekOrigin.Begin);
        var buffer = new byte[Math.Min(stream.Length - _offset, 1 << 20)];
        var read = stream.ReadAtLeast(buffer, buffer.Length, throwOnEndOfStream: false);
        _offset += read;
        var text = _partial + Encoding.UTF8.GetString(buffer, 0, read);
        var lines = text.Split('\n');
        _partial = lines[^1];
        return lines[..^1].Select(l => prefix + l.TrimEnd('\r')).ToList();
    }
}
