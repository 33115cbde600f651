using System.Security.Cryptography;
using System.Text.Json;
using Contracts;

namespace Runner.Agent;

/// <summary>The credential a registration earned, kept in <c>WORK_DIR/.runner</c> (mode 0600, encrypted with the key
/// ring in <c>WORK_DIR/.keys</c>; see <see cref="ProtectedFile"/>) so that a restarted runner needs no new registration
/// token.</summary>
internal sealed record RunnerCredentials(Uri Server, Guid RunnerId, string Name, string Token)
{
    public const string FileName = ".runner";

    /// <summary>The stored credential; null when there is none or it cannot be decrypted (its keys are gone), which
    /// needs a registration token like a first start.</summary>
    public static RunnerCredentials? Load(string workDir)
    {
        string? json;
        try
        {
            json = Stored(workDir).Read(out var wasPlain);
            if (json is null) return null;
            var credentials = JsonSerializer.Deserialize<RunnerCredentials>(json, ContractJson.Options);
            if (wasPlain) credentials?.Save(workDir); // stored before encryption: encrypt it now
            return credentials;
        }
        catch (CryptographicException)
        {
            return null;
        }
    }

    public void Save(string workDir)
    {
        Directory.CreateDirectory(workDir);
        Stored(workDir).Write(JsonSerializer.Serialize(this, ContractJson.Options));
    }

    private static ProtectedFile Stored(string workDir) =>
        new(Path.Combine(workDir, FileName), Path.Combine(workDir, ".keys"), "runner-credentials");
}
