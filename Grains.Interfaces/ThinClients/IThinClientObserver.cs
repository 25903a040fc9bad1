namespace Vdi.Grains.Interfaces.ThinClients;

/// <summary>The gateway end of one thin client's WebSocket: whatever gateway holds it, grains reach it through this.</summary>
[Alias("IThinClientObserver")]
public interface IThinClientObserver : IGrainObserver
{
    /// <summary>
    /// Sends a text frame (JSON) to the client. Awaited, so one session's frames reach the socket in the order they
    /// were sent (preparation progress 10, 30, 50); a gateway that died (no answer comes) holds the session for 5 s
    /// instead of Orleans' 30 s response timeout. A socket that closes ends its session before its observer goes.
    /// </summary>
    [Alias("SendAsync"), ResponseTimeout("00:00:05")]
    Task SendAsync(string json);

    /// <summary>Sends a control frame, then closes the socket with the code (2000 admin disconnect, 4001 bad token).</summary>
    [Alias("CloseAsync")]
    Task CloseAsync(int closeCode, string controlJson);
}
