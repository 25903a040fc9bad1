using Vdi.Simulator.Api;

namespace Vdi.Simulator.Events;

/// <summary>
/// The controller's own event log (ECP's <c>GET /api/events/</c>: <c>id, event_type</c> 0 info / 1 warning / 2 error,
/// <c>message, description, user, created</c>), newest first; each entry is also announced on <c>/events/</c>.
/// The simulator journals what its tasks did, as the controller does; the last 10,000 entries are kept.
/// </summary>
public sealed class EventLog(TimeProvider time, EventHub hub)
{
    private const int Limit = 10_000;

    private readonly LinkedList<Dictionary<string, object?>> _events = new();

    public void Add(int eventType, string message, string description, string user)
    {
        var id = Guid.NewGuid();
        var entry = Paging.Fields(("id", id), ("event_type", eventType), ("message", message), ("description", description), ("user", user),
            ("created", time.GetUtcNow().ToString("O", System.Globalization.CultureInfo.InvariantCulture)));
        lock (_events)
        {
            _events.AddFirst(entry);
            while (_events.Count > Limit)
            {
                _events.RemoveLast();
            }
        }

        hub.Publish("/events/", "CREATED", id, entry);
    }

    public IReadOnlyList<Dictionary<string, object?>> List(int? eventType)
    {
        lock (_events)
        {
            return [.. _events.Where(e => eventType is null || (int)e["event_type"]! == eventType)];
        }
    }
}
