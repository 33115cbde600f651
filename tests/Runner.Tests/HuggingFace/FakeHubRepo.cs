using System.Security.Cryptography;
using System.Text;

namespace Runner.Tests.HuggingFace;

/// <summary>A repository of the fake Hub: one commit of files (path → bytes), optionally gated behind one token, and
/// the faults the tests ask for per file.</summary>
internal sealed class FakeHubRepo(string id, IReadOnlyDictionary<string, byte[]> files)
{
    public string Id { get; } = id;
    public string Commit { get; } = Convert.ToHexStringLower(SHA1.HashData(Encoding.UTF8.GetBytes(id + Guid.NewGuid())));
    public IReadOnlyDictionary<string, byte[]> Files { get; } = files;
    /// <summary>Stored in LFS (listed with a sha256): the weights, as on the real Hub.</summary>
    public bool IsLfs(string path) => path.EndsWith(".safetensors", StringComparison.Ordinal);
    /// <summary>When set, the repository answers 401 to a request without exactly this bearer token.</summary>
    public string? GatedToken { get; init; }
    /// <summary>Paths whose first CDN transfer is cut half-way (the connection is aborted).</summary>
    public HashSet<string> CutOnce { get; } = new(StringComparer.Ordinal);
    /// <summary>Paths whose first ranged CDN request is answered 416, as by a CDN whose copy changed since.</summary>
    public HashSet<string> RefuseRangeOnce { get; } = new(StringComparer.Ordinal);
    /// <summary>Paths whose CDN bytes are wrong (same length, one byte flipped): a checksum mismatch.</summary>
    public HashSet<string> Corrupt { get; } = new(StringComparer.Ordinal);

    public static FakeHubRepo FromDirectory(string id, string dir, string? gatedToken = null) =>
        new(id, Directory.EnumerateFiles(dir).ToDictionary(f => Path.GetFileName(f), File.ReadAllBytes, StringComparer.Ordinal)) { GatedToken = gatedToken };

    public static string Sha256(byte[] bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));

    /// <summary>Git's blob id: sha1 of <c>blob SIZE\0</c> and the content.</summary>
    public static string GitBlobId(byte[] bytes) =>
        Convert.ToHexStringLower(SHA1.HashData([.. Encoding.ASCII.GetBytes($"blob {bytes.Length}\0"), .. bytes]));
}
