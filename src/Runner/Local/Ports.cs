using System.Net;
using System.Net.Sockets;

namespace Runner.Local;

/// <summary>Port choice for local processes: the first port from a base that nobody listens on and no record claims.</summary>
internal static class Ports
{
    public static int FirstFree(int basePort, IReadOnlySet<int> taken)
    {
        for (var port = Math.Max(1024, basePort); port < 65535; port++)
        {
            if (!taken.Contains(port) && IsFree(port))
            {
                return port;
            }
        }

        throw new InvalidOperationException($"no free port at or above {basePort}");
    }

    public static bool IsFree(int port)
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
