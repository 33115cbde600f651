using System.Net;
using System.Net.Sockets;

namespace TestSupport;

public static class FreePort
{
    /// <summary>A port the kernel just handed out and released; good enough for a child process to bind right after.</summary>
    public static int Next()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>A base port with <paramref name="count"/> free ports after it (engine replicas take consecutive ports).</summary>
    public static int NextRange(int count)
    {
        for (var tries = 0; tries < 50; tries++)
        {
            var start = Next();
            if (start + count >= IPEndPoint.MaxPort) continue;
            if (Enumerable.Range(start + 1, count).All(IsFree)) return start;
        }
        throw new InvalidOperationException($"no {count + 1} consecutive free ports found");
    }

    private static bool IsFree(int port)
    {
        try
        {
            using var listener = new TcpListener(IPAddress.Loopback, port);
            listener.Start();
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
