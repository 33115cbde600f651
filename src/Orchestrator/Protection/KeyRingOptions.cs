namespace Orchestrator.Protection;

/// <summary>Bound from <c>DataProtection</c>: how the key ring in PostgreSQL is itself protected, by a certificate or by
/// a key file (one of them). Without either the keys are stored as Data Protection writes them, unencrypted (Data
/// Protection logs a warning as it stores one).</summary>
public sealed class KeyRingOptions
{
    public const string Section = "DataProtection";

    /// <summary>A PKCS#12 (.pfx) file with the certificate and its private key that encrypts every key at rest.</summary>
    public string? CertificateFile { get; set; }

    /// <summary>A file holding the .pfx file's password (never the password itself on a command line).</summary>
    public string? CertificatePasswordFile { get; set; }

    /// <summary>Or a file of at least 32 random bytes from which the key that encrypts every key at rest is derived
    /// (see <see cref="KeyFileKey"/>); every instance on the database needs the same file.</summary>
    public string? KeyFile { get; set; }
}
