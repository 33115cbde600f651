using Npgsql;

namespace HealthBench;

/// <summary>What the database holds and has written: the health tables' sizes (with their indexes and TOAST), row
/// counts and the WAL position.</summary>
internal sealed record Storage(DateTimeOffset At, long SampleBytes, long RollupBytes, long SampleRows, long MinuteRollups, long FiveMinuteRollups, decimal WalBytes)
{
    public static async Task<Storage> ReadAsync(NpgsqlDataSource db)
    {
        await using var command = db.CreateCommand("""
            SELECT now(), pg_total_relation_size('health_samples'), pg_total_relation_size('health_rollups'),
                   (SELECT count(*) FROM health_samples),
                   (SELECT count(*) FROM health_rollups WHERE bucket_seconds = 60),
                   (SELECT count(*) FROM health_rollups WHERE bucket_seconds = 300),
                   pg_wal_lsn_diff(pg_current_wal_lsn(), '0/0')
            """);
        await using var reader = await command.ExecuteReaderAsync();
        await reader.ReadAsync();
        return new Storage(reader.GetFieldValue<DateTimeOffset>(0), reader.GetInt64(1), reader.GetInt64(2), reader.GetInt64(3), reader.GetInt64(4),
            reader.GetInt64(5), reader.GetDecimal(6));
    }

    /// <summary>Bytes per row of both tables once compacted (<c>VACUUM FULL</c>): what a row costs at steady state, without
    /// the dead versions that the rollups' re-aggregation of the last quarter hour leaves until autovacuum.</summary>
    public static async Task<(double Sample, double Rollup)> CompactRowBytesAsync(NpgsqlDataSource db)
    {
        await using (var vacuum = db.CreateCommand("VACUUM (FULL, ANALYZE) health_samples")) await vacuum.ExecuteNonQueryAsync();
        await using (var vacuum = db.CreateCommand("VACUUM (FULL, ANALYZE) health_rollups")) await vacuum.ExecuteNonQueryAsync();
        var after = await ReadAsync(db);
        var rollups = after.MinuteRollups + after.FiveMinuteRollups;
        return (after.SampleRows > 0 ? (double)after.SampleBytes / after.SampleRows : 0, rollups > 0 ? (double)after.RollupBytes / rollups : 0);
    }
}
