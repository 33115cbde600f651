using System.Security.Cryptography;
using System.Text;
using System.Xml.Linq;
using Microsoft.AspNetCore.DataProtection.XmlEncryption;

namespace Orchestrator.Protection;

/// <summary>Reads what <see cref="KeyFileXmlEncryptor"/> wrote. Data Protection creates it by type name with the
/// service provider; a key ring encrypted with a key file cannot be read without <c>DataProtection:KeyFile</c>.</summary>
public sealed class KeyFileXmlDecryptor(IServiceProvider services) : IXmlDecryptor
{
    public XElement Decrypt(XElement encryptedElement)
    {
        ArgumentNullException.ThrowIfNull(encryptedElement);
        var key = services.GetService<KeyFileKey>()
            ?? throw new InvalidOperationException($"The key ring was encrypted with a key file: configure {KeyRingOptions.Section}:KeyFile to read it.");
        var sealedBytes = Convert.FromBase64String((string?)encryptedElement.Element("value")
            ?? throw new CryptographicException("An encrypted key has no <value> element."));
        if (sealedBytes.Length < KeyFileXmlEncryptor.NonceBytes + KeyFileXmlEncryptor.TagBytes) throw new CryptographicException("An encrypted key is too short.");
        var plaintext = new byte[sealedBytes.Length - KeyFileXmlEncryptor.NonceBytes - KeyFileXmlEncryptor.TagBytes];
        using var aes = new AesGcm(key.Key, KeyFileXmlEncryptor.TagBytes);
        aes.Decrypt(sealedBytes.AsSpan(0, KeyFileXmlEncryptor.NonceBytes), sealedBytes.AsSpan(KeyFileXmlEncryptor.NonceBytes + KeyFileXmlEncryptor.TagBytes),
            sealedBytes.AsSpan(KeyFileXmlEncryptor.NonceBytes, KeyFileXmlEncryptor.TagBytes), plaintext);
        try
        {
            return XElement.Parse(Encoding.UTF8.GetString(plaintext));
        }
        finally
        {
            CryptographicOperations.ZeroMemory(plaintext);
        }
    }
}
