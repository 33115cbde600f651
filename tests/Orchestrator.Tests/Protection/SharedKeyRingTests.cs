using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.DependencyInjection;
using Orchestrator.Tests.Infrastructure;

namespace Orchestrator.Tests.Protection;

/// <summary>Data Protection's key ring lives in PostgreSQL: what one instance protects, another on the same database
/// reads (a dashboard cookie survives the load balancer's choice), and with a certificate the keys are encrypted at rest.</summary>
public sealed class SharedKeyRingTests : IAsyncLifetime
{
    private readonly TestDatabase _database = new();
    private readonly string _dir = Directory.CreateTempSubdirectory("keyring-").FullName;

    public Task InitializeAsync() => _database.InitializeAsync();

    public async Task DisposeAsync()
    {
        await _database.DisposeAsync();
        Directory.Delete(_dir, recursive: true);
    }

    [Fact]
    public async Task TwoInstances_ReadEachOthersProtectedValues_FromOneKeyRowInTheDatabase()
    {
        await using var a = await TestServer.StartAsync(_database);
        await using var b = await TestServer.StartAsync(_database);

        var protectedText = Protector(a).Protect("session of alice");
        var read = Protector(b).Unprotect(protectedText);

        Assert.Equal("session of alice", read);
        Assert.Equal(1, await _database.ScalarAsync<long>("SELECT count(*) FROM data_protection_keys"));
        // Without a certificate the key is stored as Data Protection writes it: the README says so.
        Assert.Contains("<masterKey", await _database.ScalarAsync<string>("SELECT xml FROM data_protection_keys"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task WithACertificate_TheKeyIsEncryptedAtRest_AndAnotherInstanceWithItReadsIt()
    {
        var (pfx, passwordFile) = WriteCertificate();
        string[] args = ["--DataProtection:CertificateFile", pfx, "--DataProtection:CertificatePasswordFile", passwordFile];
        await using var a = await TestServer.StartAsync(_database, args);
        await using var b = await TestServer.StartAsync(_database, args);

        var read = Protector(b).Unprotect(Protector(a).Protect("secret value"));
        var stored = await _database.ScalarAsync<string>("SELECT xml FROM data_protection_keys");

        Assert.Equal("secret value", read);
        Assert.Contains("EncryptedXml", stored, StringComparison.Ordinal);
        Assert.DoesNotContain("<value>", stored, StringComparison.Ordinal); // the master key's plain element
    }

    [Fact]
    public async Task WithAKeyFile_TheKeyIsEncryptedAtRest_AnotherInstanceWithItReadsIt_OneWithoutItCannot()
    {
        var keyFile = Path.Combine(_dir, "keyring.key");
        await File.WriteAllBytesAsync(keyFile, RandomNumberGenerator.GetBytes(32));
        await using var a = await TestServer.StartAsync(_database, "--DataProtection:KeyFile", keyFile);
        await using var b = await TestServer.StartAsync(_database, "--DataProtection:KeyFile", keyFile);
        await using var without = await TestServer.StartAsync(_database);

        var protectedText = Protector(a).Protect("secret value");
        var read = Protector(b).Unprotect(protectedText);
        var stored = await _database.ScalarAsync<string>("SELECT xml FROM data_protection_keys");

        Assert.Equal("secret value", read);
        Assert.Contains(nameof(Orchestrator.Protection.KeyFileXmlDecryptor), stored, StringComparison.Ordinal);
        Assert.DoesNotContain("<masterKey", stored, StringComparison.Ordinal);
        Assert.ThrowsAny<Exception>(() => Protector(without).Unprotect(protectedText));
    }

    [Theory]
    [InlineData(16, false)]
    [InlineData(32, true)]
    public async Task KeyFileTooShortOrBesideACertificate_StopsTheStart_NamingTheSetting(int bytes, bool withCertificate)
    {
        var keyFile = Path.Combine(_dir, "keyring.key");
        await File.WriteAllBytesAsync(keyFile, RandomNumberGenerator.GetBytes(bytes));
        string[] args = withCertificate
            ? ["--DataProtection:KeyFile", keyFile, "--DataProtection:CertificateFile", WriteCertificate().Pfx, "--DataProtection:CertificatePasswordFile", WriteCertificate().PasswordFile]
            : ["--DataProtection:KeyFile", keyFile];

        var e = await Assert.ThrowsAnyAsync<Exception>(() => TestServer.StartAsync(_database, args));

        Assert.Contains("DataProtection:KeyFile", e.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task UnreadableCertificate_StopsTheStart_NamingTheSetting()
    {
        var missing = Path.Combine(_dir, "missing.pfx");

        var e = await Assert.ThrowsAnyAsync<Exception>(() => TestServer.StartAsync(_database, "--DataProtection:CertificateFile", missing));

        Assert.Contains("DataProtection:CertificateFile", e.ToString(), StringComparison.Ordinal);
    }

    private static IDataProtector Protector(TestServer server) =>
        server.Services.GetRequiredService<IDataProtectionProvider>().CreateProtector("tests");

    private (string Pfx, string PasswordFile) WriteCertificate()
    {
        using var rsa = RSA.Create(2048);
        var request = new CertificateRequest("CN=orchestrator key ring", rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddYears(1));
        var pfx = Path.Combine(_dir, "keyring.pfx");
        var passwordFile = Path.Combine(_dir, "keyring.password");
        File.WriteAllBytes(pfx, certificate.Export(X509ContentType.Pkcs12, "pfx-password"));
        File.WriteAllText(passwordFile, "pfx-password\n");
        return (pfx, passwordFile);
    }
}
