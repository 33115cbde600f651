namespace Orchestrator.Protection;

/// <summary>Bound from <c>DataProtection</c>: how the key ring in PostgreSQL is itself protected. Without a certificate
/// the keys are stored as Data Protection writes them, unencrypted (Data Protection logs a warning as it stores one).</summary>
public sealed class KeyRingOptions
{
    public const string Section = "DataProtection";

    /// <summary>A PKCS#12 (.pfx) file with the certificate and its private key that encrypts every key at rest.</summary>
    public string? CertificateFile { get; set; }

    /// <summary>A file holding the .pfx file's password (never the password itself on a command line).</summary>
    public string? CertificatePasswordFile { get; set; }
}
