namespace Vdi.Grains.Interfaces.ThinClients;

/// <summary>The gateway end of one thin client's WebSocket: whatever gateway holds it, grains reach it through this.</summary>
[Alias("IThinClientObserver")]
public interface IThinClientObserver : IGrainObserver
{
    /// <summary>
    /// Sends a text frame (JSON) to the client. One-way: a socket that closed a moment ago must not hold the session
    /// grain for the response timeout (30 s) that a call to a deleted observer waits; Orleans delivers one object's
    /// messages in order, so progress messages keep theirs.
    /// </summary>
    [Alias("SendAsync"), Orleans.Concurrency.OneWay]
    Task SendAsync(string json);

    /// <summary>Sends a control frame, then closes the socket with the code (2000 admin disconnect, 4001 bad token).</summary>
    [Alias("CloseAsync")]
    Task CloseAsync(int closeCode, string controlJson);
}
