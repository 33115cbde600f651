using System.Security.Cryptography;
using Microsoft.AspNetCore.DataProtection;

namespace Contracts;

/// <summary>
/// A small file that holds a secret (a bearer token), encrypted at rest with ASP.NET Core Data Protection
/// (authenticated AES-256) and readable by its owner only. The key ring lives in a directory of its own, also private,
/// so the file alone (copied, backed up, pasted into a bug report) gives nothing away. A file written before files were
/// encrypted (plain JSON) is still read, and <see cref="Read"/> says so, for the caller to write it again encrypted.
/// </summary>
public sealed class ProtectedFile(string path, string keysDirectory, string purpose)
{
    private const UnixFileMode Private = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    public string Path => path;

    /// <summary>The content, or null when there is no file. Throws <see cref="CryptographicException"/> when it cannot
    /// be decrypted (its keys are gone or were never these).</summary>
    public string? Read(out bool wasPlain)
    {
        wasPlain = false;
        if (!File.Exists(path)) return null;
        var stored = File.ReadAllText(path).Trim();
        // A protected payload is base64url, never JSON.
        if (stored.StartsWith('{'))
        {
            wasPlain = true;
            return stored;
        }
        return Protector().Unprotect(stored);
    }

    /// <summary>Replaces the file at once (written to a private temporary file and renamed); its directory must exist.</summary>
    public void Write(string content)
    {
        var protectedText = Protector().Protect(content);
        var temp = path + ".tmp";
        var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows()) options.UnixCreateMode = Private;
        using (var stream = new FileStream(temp, options))
        using (var writer = new StreamWriter(stream))
        {
            writer.Write(protectedText);
        }
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(temp, Private);
        File.Move(temp, path, overwrite: true);
    }

    private IDataProtector Protector()
    {
        // Data Protection writes its key files with the process's umask: the directory keeps them private.
        CreatePrivateDirectory(keysDirectory);
        return DataProtectionProvider.Create(new DirectoryInfo(keysDirectory), builder => builder.SetApplicationName("orchestrator"))
            .CreateProtector(purpose);
    }

    private static void CreatePrivateDirectory(string directory)
    {
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(directory);
            return;
        }
        var existed = Directory.Exists(directory);
        Directory.CreateDirectory(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        if (!existed) File.SetUnixFileMode(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
    }
}
