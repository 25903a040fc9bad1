namespace Vdi.Grains.Interfaces.ThinClients;

/// <summary>The gateway end of one thin client's WebSocket: whatever gateway holds it, grains reach it through this.</summary>
[Alias("IThinClientObserver")]
public interface IThinClientObserver : IGrainObserver
{
    /// <summary>Sends a text frame (JSON) to the client.</summary>
    [Alias("SendAsync")]
    Task SendAsync(string json);

    /// <summary>Sends a control frame, then closes the socket with the code (2000 admin disconnect, 4001 bad token).</summary>
    [Alias("CloseAsync")]
    Task CloseAsync(int closeCode, string controlJson);
}
