using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.Extensions.Options;

namespace Orchestrator.Protection;

/// <summary>
/// Data Protection (cookies, antiforgery tokens, protected values) with one key ring for every instance: in
/// PostgreSQL, under the application name <c>orchestrator</c>, encrypted at rest with <c>DataProtection:CertificateFile</c>
/// or <c>DataProtection:KeyFile</c> when one is configured.
/// </summary>
public static class ProtectionRegistration
{
    public const string ApplicationName = "orchestrator";

    public static IServiceCollection AddSharedKeyRing(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var options = configuration.GetSection(KeyRingOptions.Section).Get<KeyRingOptions>() ?? new KeyRingOptions();
        var builder = services.AddDataProtection().SetApplicationName(ApplicationName);
        if (!string.IsNullOrEmpty(options.CertificateFile) && !string.IsNullOrEmpty(options.KeyFile))
            throw new InvalidOperationException($"{KeyRingOptions.Section}:CertificateFile and {KeyRingOptions.Section}:KeyFile are both set: the key ring is protected by one of them, choose which.");
        if (!string.IsNullOrEmpty(options.CertificateFile)) builder.ProtectKeysWithCertificate(LoadCertificate(options));
        if (!string.IsNullOrEmpty(options.KeyFile))
        {
            var key = KeyFileKey.Load(options.KeyFile);
            services.AddSingleton(key);
            services.Configure<KeyManagementOptions>(o => o.XmlEncryptor = new KeyFileXmlEncryptor(key));
        }
        services.AddSingleton<PostgresKeyRepository>();
        services.AddSingleton<IConfigureOptions<KeyManagementOptions>>(sp =>
            new ConfigureOptions<KeyManagementOptions>(o => o.XmlRepository = sp.GetRequiredService<PostgresKeyRepository>()));
        return services;
    }

    private static X509Certificate2 LoadCertificate(KeyRingOptions options)
    {
        try
        {
            var password = string.IsNullOrEmpty(options.CertificatePasswordFile) ? null : File.ReadAllText(options.CertificatePasswordFile).TrimEnd('\n', '\r');
            return X509CertificateLoader.LoadPkcs12FromFile(options.CertificateFile!, password);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or System.Security.Cryptography.CryptographicException)
        {
            throw new InvalidOperationException($"{KeyRingOptions.Section}:CertificateFile {options.CertificateFile} cannot be loaded: {e.Message}", e);
        }
    }
}
