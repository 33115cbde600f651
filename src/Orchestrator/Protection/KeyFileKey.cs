using System.Security.Cryptography;
using System.Text;

namespace Orchestrator.Protection;

/// <summary>The AES-256 key that <c>DataProtection:KeyFile</c> gives: derived with HKDF-SHA256 from the file's bytes (at
/// least 32 of them, e.g. <c>head -c 32 /dev/urandom</c>), so any file of enough entropy serves and its bytes are never
/// used as they are.</summary>
public sealed class KeyFileKey
{
    public const int MinFileBytes = 32;
    private static readonly byte[] Info = Encoding.UTF8.GetBytes("orchestrator data protection key ring v1");

    public KeyFileKey(byte[] fileBytes)
    {
        ArgumentNullException.ThrowIfNull(fileBytes);
        if (fileBytes.Length < MinFileBytes)
            throw new InvalidOperationException($"{KeyRingOptions.Section}:KeyFile holds {fileBytes.Length} bytes; it needs at least {MinFileBytes} random bytes (head -c 32 /dev/urandom > FILE).");
        Key = HKDF.DeriveKey(HashAlgorithmName.SHA256, fileBytes, 32, salt: null, info: Info);
    }

    internal byte[] Key { get; }

    public static KeyFileKey Load(string path)
    {
        try
        {
            return new KeyFileKey(File.ReadAllBytes(path));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new InvalidOperationException($"{KeyRingOptions.Section}:KeyFile {path} cannot be read: {e.Message}", e);
        }
    }
}
