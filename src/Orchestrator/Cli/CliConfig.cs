using System.Security.Cryptography;
using System.Text.Json;
using Contracts;

namespace Orchestrator.Cli;

/// <summary>
/// What <c>orchestrator login</c> stores: <c>$XDG_CONFIG_HOME/orchestrator/config.json</c> (default
/// <c>~/.config/…</c>), mode 0600 and encrypted (see <see cref="ProtectedFile"/>) because it holds a bearer token; its
/// key ring is in <c>$XDG_DATA_HOME/orchestrator/keys</c> (default <c>~/.local/share/…</c>).
/// </summary>
public sealed record CliConfig(string Server, string Token)
{
    public static string FilePath => Path.Combine(XdgHome("XDG_CONFIG_HOME", ".config"), "orchestrator", "config.json");

    private static ProtectedFile Stored => new(FilePath, Path.Combine(XdgHome("XDG_DATA_HOME", Path.Combine(".local", "share")), "orchestrator", "keys"), "cli-config");

    public static CliConfig? Load()
    {
        var file = Stored;
        string? json;
        bool wasPlain;
        try
        {
            json = file.Read(out wasPlain);
        }
        catch (CryptographicException)
        {
            throw new UsageException($"{file.Path} cannot be decrypted: its keys are gone (run `orchestrator login` again)");
        }
        if (json is null) return null;
        var config = Deserialize(json, file.Path);
        if (wasPlain) config.Save(); // stored before encryption: encrypt it now
        return config;
    }

    public void Save()
    {
        var dir = Path.GetDirectoryName(FilePath)!;
        if (OperatingSystem.IsWindows()) Directory.CreateDirectory(dir);
        else Directory.CreateDirectory(dir, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        Stored.Write(JsonSerializer.Serialize(this, ContractJson.Options));
    }

    private static CliConfig Deserialize(string json, string path)
    {
        try
        {
            return JsonSerializer.Deserialize<CliConfig>(json, ContractJson.Options)
                ?? throw new UsageException($"{path} is empty (run `orchestrator login` again)");
        }
        catch (JsonException e)
        {
            throw new UsageException($"{path} is not valid: {e.Message} (run `orchestrator login` again)");
        }
    }

    private static string XdgHome(string variable, string fallbackUnderHome)
    {
        var home = Environment.GetEnvironmentVariable(variable);
        return string.IsNullOrEmpty(home)
            ? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), fallbackUnderHome)
            : home;
    }
}
