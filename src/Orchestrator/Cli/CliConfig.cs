using System.Text.Json;

namespace Orchestrator.Cli;

/// <summary>
/// What <c>orchestrator login</c> stores: <c>$XDG_CONFIG_HOME/orchestrator/config.json</c> (default
/// <c>~/.config/…</c>), mode 0600 because it holds a bearer token.
/// </summary>
public sealed record CliConfig(string Server, string Token)
{
    public static string FilePath
    {
        get
        {
            var configHome = Environment.GetEnvironmentVariable("XDG_CONFIG_HOME");
            if (string.IsNullOrEmpty(configHome))
                configHome = Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".config");
            return Path.Combine(configHome, "orchestrator", "config.json");
        }
    }

    public static CliConfig? Load()
    {
        var path = FilePath;
        if (!File.Exists(path)) return null;
        try
        {
            return JsonSerializer.Deserialize<CliConfig>(File.ReadAllText(path), Contracts.ContractJson.Options);
        }
        catch (JsonException e)
        {
            throw new UsageException($"{path} is not valid: {e.Message} (run `orchestrator login` again)");
        }
    }

    public void Save()
    {
        var path = FilePath;
        var dir = Path.GetDirectoryName(path)!;
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(dir);
        }
        else
        {
            Directory.CreateDirectory(dir, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
        // Written to a private temp file and renamed, so the token is never readable by others, not even briefly.
        var temp = path + ".tmp";
        var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows()) options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        using (var stream = new FileStream(temp, options))
        {
            JsonSerializer.Serialize(stream, this, Contracts.ContractJson.Options);
        }
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(temp, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        File.Move(temp, path, overwrite: true);
    }
}
