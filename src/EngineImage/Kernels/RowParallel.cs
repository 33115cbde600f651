namespace EngineImage.Kernels;

/// <summary>
/// Splits the output rows of a matrix-vector product into one contiguous range per thread (rows are independent, so
/// no reduction is needed). Ranges start on multiples of 16 rows so two threads never write the same cache line.
/// </summary>
internal static class RowParallel
{
    private const int MinRowsPerThread = 64;

    public static void For(int rows, int threads, Action<int, int> body)
    {
        var parts = Math.Clamp(rows / MinRowsPerThread, 1, Math.Max(1, threads));
        if (parts == 1)
        {
            body(0, rows);
            return;
        }
        var per = (rows + parts - 1) / parts;
        per = (per + 15) & ~15;
        Parallel.For(0, parts, new ParallelOptions { MaxDegreeOfParallelism = parts }, part =>
        {
            var start = part * per;
            var end = Math.Min(rows, start + per);
            if (start < end) body(start, end);
        });
    }
}
