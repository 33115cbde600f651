using System.Text.Json;
using Contracts;

namespace Runner.Agent;

/// <summary>The credential a registration earned, kept in <c>WORK_DIR/.runner</c> (mode 0600) so that a restarted
/// runner needs no new registration token.</summary>
internal sealed record RunnerCredentials(Uri Server, Guid RunnerId, string Name, string Token)
{
    public const string FileName = ".runner";

    public static RunnerCredentials? Load(string workDir)
    {
        var path = Path.Combine(workDir, FileName);
        return File.Exists(path)
            ? JsonSerializer.Deserialize<RunnerCredentials>(File.ReadAllText(path), ContractJson.Options)
            : null;
    }

    public void Save(string workDir)
    {
        Directory.CreateDirectory(workDir);
        var path = Path.Combine(workDir, FileName);
        var temp = path + ".tmp";
        var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            // Created private: the credential is never readable by others, not even for a moment.
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        using (var stream = new FileStream(temp, options))
        using (var writer = new StreamWriter(stream))
        {
            writer.Write(JsonSerializer.Serialize(this, ContractJson.Options));
        }

        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(temp, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }

        File.Move(temp, path, overwrite: true);
    }
}
