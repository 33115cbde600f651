using Microsoft.AspNetCore.DataProtection;

namespace Orchestrator.Secrets;

/// <summary>
/// Encrypts secret values with the shared key ring (authenticated AES-256-CBC + HMAC by default). The purpose chain
/// ends with the secret's name, so a payload copied onto another secret's row does not decrypt.
/// </summary>
public sealed class SecretProtector(IDataProtectionProvider provider)
{
    public const string Purpose = "Orchestrator.Secrets.v1";

    private readonly IDataProtector _root = provider.CreateProtector(Purpose);

    public string Protect(string name, string value) => _root.CreateProtector(name).Protect(value);

    public string Unprotect(string name, string protectedValue) => _root.CreateProtector(name).Unprotect(protectedValue);
}
