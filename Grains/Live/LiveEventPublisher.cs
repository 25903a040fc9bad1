using System.Text.Json;
using Orleans.Streams;
using Vdi.Grains.Interfaces.Live;

namespace Vdi.Grains.Live;

/// <summary>Publishes changes for the admin view on the per-resource live streams (snake_case JSON, as the original).</summary>
public sealed class LiveEventPublisher(IClusterClient client)
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    public Task PublishAsync(string resource, string @event, Guid id, object payload)
    {
        var stream = client.GetStreamProvider(LiveStreams.Provider).GetStream<LiveEvent>(StreamId.Create(LiveStreams.Namespace, resource));
        return stream.OnNextAsync(new LiveEvent(resource, @event, id, JsonSerializer.Serialize(payload, Json)));
    }
}
