using System.Diagnostics;
using Npgsql;

namespace CloudTargets.Tests.Infrastructure;

/// <summary>The whole database as <c>pg_dump</c> writes it (schema and every row), to look for what must not be there.</summary>
internal static class DatabaseDump
{
    /// <summary><c>PG_DUMP</c>, else Debian's PostgreSQL 15 binary, else <c>pg_dump</c> on the PATH.</summary>
    private static string Program =>
        Environment.GetEnvironmentVariable("PG_DUMP") is { Length: > 0 } given ? given
        : File.Exists("/usr/lib/postgresql/15/bin/pg_dump") ? "/usr/lib/postgresql/15/bin/pg_dump"
        : "pg_dump";

    public static async Task<string> TextAsync(string connectionString)
    {
        var c = new NpgsqlConnectionStringBuilder(connectionString);
        var start = new ProcessStartInfo(Program)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            ArgumentList = { "--host", c.Host!, "--port", c.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--username", c.Username!, "--dbname", c.Database!, "--no-owner" },
        };
        if (!string.IsNullOrEmpty(c.Password)) start.Environment["PGPASSWORD"] = c.Password;
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"{Program} did not start");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.True(process.ExitCode == 0, $"{Program} failed ({process.ExitCode}): {await error}");
        return await output;
    }
}
