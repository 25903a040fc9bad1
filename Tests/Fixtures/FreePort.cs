using System.Net;
using System.Net.Sockets;

namespace Vdi.Tests.Fixtures;

public static class FreePort
{
    /// <summary>A loopback TCP port that was free a moment ago (for Orleans endpoints, which cannot take port 0).</summary>
    public static int Next()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
