using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace EngineImage.Benchmarking;

/// <summary>
/// The machine's physical memory read bandwidth: every thread sums its share of a buffer far larger than the caches
/// (1 GiB by default) with 512-bit (or the widest) vector loads, and the bytes read over the slowest thread's time
/// is the figure. Independent of libtorch, so it bounds any matrix-vector kernel, ours or llama.cpp's.
/// </summary>
public static class MemoryBandwidth
{
    public sealed record Result(long Bytes, int Threads, double MedianGigabytesPerSecond, double BestGigabytesPerSecond, double WorstGigabytesPerSecond);

    public static unsafe Result Measure(int threads, long bytes = 1L << 30, int passes = 7)
    {
        var buffer = (byte*)NativeMemory.AlignedAlloc((nuint)bytes, 4096);
        try
        {
            // Touch every page (and give it non-zero contents) so no pass measures page faults.
            for (long i = 0; i < bytes; i += int.MaxValue) new Span<byte>(buffer + i, (int)Math.Min(int.MaxValue, bytes - i)).Clear();
            for (long i = 0; i < bytes; i += 4096) buffer[i] = (byte)i;
            var per = bytes / threads / 4096 * 4096;
            var rates = new List<double>();
            var sink = 0f;
            for (var pass = 0; pass < passes + 1; pass++)
            {
                var sums = new float[threads];
                var started = Stopwatch.GetTimestamp();
                Parallel.For(0, threads, new ParallelOptions { MaxDegreeOfParallelism = threads }, t => sums[t] = Sum(buffer + t * per, per));
                var seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
                sink += sums.Sum();
                if (pass > 0) rates.Add(per * threads / seconds / 1e9);
            }
            GC.KeepAlive(sink);
            rates.Sort();
            return new Result(per * threads, threads, rates[rates.Count / 2], rates[^1], rates[0]);
        }
        finally
        {
            NativeMemory.AlignedFree(buffer);
        }
    }

    private static unsafe float Sum(byte* start, long bytes)
    {
        var p = (float*)start;
        var count = bytes / sizeof(float);
        Vector512<float> a0 = default, a1 = default, a2 = default, a3 = default;
        for (long i = 0; i + 64 <= count; i += 64)
        {
            a0 += Vector512.Load(p + i);
            a1 += Vector512.Load(p + i + 16);
            a2 += Vector512.Load(p + i + 32);
            a3 += Vector512.Load(p + i + 48);
        }
        return Vector512.Sum((a0 + a1) + (a2 + a3));
    }
}
