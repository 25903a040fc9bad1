using System.Collections.Concurrent;
using System.Text.Json;
using System.Threading.Channels;

namespace Vdi.Simulator.Events;

/// <summary>
/// Fans every inventory change out to the WebSocket subscribers of its resource (<c>/domains/</c>, <c>/tasks/</c>...),
/// in ECP's message shape <c>{"msg_type":"data","event","resource","id","object"}</c>.
/// </summary>
public sealed class EventHub
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
    };

    private readonly ConcurrentDictionary<Guid, Subscriber> _subscribers = new();

    public Subscriber Connect()
    {
        var subscriber = new Subscriber();
        _subscribers[subscriber.Id] = subscriber;
        return subscriber;
    }

    public void Disconnect(Subscriber subscriber) => _subscribers.TryRemove(subscriber.Id, out _);

    /// <summary>Closes every socket (fault injection: "drop the WebSocket").</summary>
    public void DropAll()
    {
        foreach (var subscriber in _subscribers.Values)
        {
            subscriber.Drop();
        }
    }

    public void Publish(string resource, string @event, Guid id, object payload)
    {
        if (_subscribers.IsEmpty)
        {
            return;
        }

        var message = JsonSerializer.Serialize(new { msg_type = "data", @event, resource, id, @object = payload }, Json);
        foreach (var subscriber in _subscribers.Values)
        {
            if (subscriber.IsSubscribed(resource))
            {
                subscriber.Outbox.Writer.TryWrite(message);
            }
        }
    }

    public sealed class Subscriber
    {
        private readonly ConcurrentDictionary<string, bool> _resources = new();
        private readonly CancellationTokenSource _dropped = new();

        public Guid Id { get; } = Guid.NewGuid();

        public Channel<string> Outbox { get; } = Channel.CreateBounded<string>(
            new BoundedChannelOptions(10_000) { FullMode = BoundedChannelFullMode.DropOldest });

        public CancellationToken Dropped => _dropped.Token;

        public bool Add(string resource) => _resources.TryAdd(resource, true);

        public bool Remove(string resource) => _resources.TryRemove(resource, out _);

        public bool IsSubscribed(string resource) => _resources.ContainsKey(resource);

        public void Drop() => _dropped.Cancel();
    }
}
