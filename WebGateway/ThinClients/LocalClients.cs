using System.Collections.Concurrent;
using System.Collections.Immutable;

namespace Vdi.WebGateway.ThinClients;

/// <summary>
/// The thin clients whose WebSocket this gateway holds, by user and address. A get-VM request's progress goes straight
/// to the socket of the client that asked (same user, same address, held here) instead of through the user's grains;
/// a client whose socket another gateway holds still gets it through them (decision 0013).
/// </summary>
public sealed class LocalClients
{
    private readonly ConcurrentDictionary<(Guid User, string Ip), ImmutableList<ClientConnection>> _clients = new();

    /// <summary>Registers a socket; disposing the result removes it.</summary>
    public IDisposable Add(Guid user, string ip, ClientConnection connection)
    {
        var key = (user, ip);
        _clients.AddOrUpdate(key, _ => [connection], (_, list) => list.Add(connection));
        return new Registration(this, key, connection);
    }

    public IReadOnlyList<ClientConnection> Of(Guid user, string ip) =>
        _clients.TryGetValue((user, ip), out var list) ? list : [];

    /// <summary>Every socket held here (the drain of a stopping gateway).</summary>
    public IReadOnlyList<ClientConnection> All() => [.. _clients.Values.SelectMany(list => list)];

    public int Count => _clients.Values.Sum(list => list.Count);

    private void Remove((Guid, string) key, ClientConnection connection)
    {
        while (_clients.TryGetValue(key, out var list))
        {
            var rest = list.Remove(connection);
            if (rest.IsEmpty
                    ? _clients.TryRemove(new KeyValuePair<(Guid, string), ImmutableList<ClientConnection>>(key, list))
                    : _clients.TryUpdate(key, rest, list))
            {
                return;
            }
        }
    }

    private sealed class Registration(LocalClients owner, (Guid, string) key, ClientConnection connection) : IDisposable
    {
        public void Dispose() => owner.Remove(key, connection);
    }
}
