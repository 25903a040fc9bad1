using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Nodes;
using Orleans.Streams;
using Vdi.Grains.Interfaces.Live;

namespace Vdi.WebGateway.Live;

/// <summary>
/// This gateway's one subscription per live resource stream, fanned out to the admin WebSockets it holds. Every
/// gateway runs one, so every gateway delivers every event to its own subscribers.
/// </summary>
public sealed partial class LiveEventHub(IClusterClient cluster, IHostApplicationLifetime lifetime, ILogger<LiveEventHub> logger) : BackgroundService
{
    /// <summary>The resources a panel may subscribe to (§9.3's names; /events/ is the journal, /users/ the chat).</summary>
    public static readonly IReadOnlySet<string> Resources = new HashSet<string>([.. LiveStreams.All, LiveStreams.TasksAlias], StringComparer.Ordinal);

    private readonly ConcurrentDictionary<Guid, Subscriber> _subscribers = new();
    private readonly List<StreamSubscriptionHandle<LiveEvent>> _handles = [];

    /// <summary>One panel connection: what it subscribed to and how to reach it.</summary>
    public sealed class Subscriber(Func<string, Task> send)
    {
        public ConcurrentDictionary<string, bool> Resources { get; } = new(StringComparer.Ordinal);

        public Task SendAsync(string json) => send(json);
    }

    public Guid Add(Subscriber subscriber)
    {
        var id = Guid.NewGuid();
        _subscribers[id] = subscriber;
        return id;
    }

    public void Remove(Guid id) => _subscribers.TryRemove(id, out _);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // the Orleans client starts its stream providers while the host starts: subscribe once the host is up
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using (lifetime.ApplicationStarted.Register(() => started.TrySetResult()))
        {
            await started.Task.WaitAsync(stoppingToken);
        }

        var provider = cluster.GetStreamProvider(LiveStreams.Provider);
        foreach (var resource in LiveStreams.All)
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                try
                {
                    var handle = await provider.GetStream<LiveEvent>(StreamId.Create(LiveStreams.Namespace, resource)).SubscribeAsync((e, _) => DeliverAsync(e));
                    lock (_handles)
                    {
                        _handles.Add(handle);
                    }

                    break;
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    LogSubscribeFailed(logger, resource, e.Message);
                    await Task.Delay(TimeSpan.FromSeconds(2), stoppingToken);
                }
            }
        }
    }

    /// <summary>A gateway that stops leaves its subscriptions (the streams would otherwise keep trying to reach it).</summary>
    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        List<StreamSubscriptionHandle<LiveEvent>> handles;
        lock (_handles)
        {
            handles = [.. _handles];
            _handles.Clear();
        }

        try
        {
            await Task.WhenAll(handles.Select(h => h.UnsubscribeAsync())).WaitAsync(TimeSpan.FromSeconds(5), cancellationToken);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            LogUnsubscribeFailed(logger, e.Message); // the cluster drops a dead client's subscriptions by itself
        }
    }

    private async Task DeliverAsync(LiveEvent e)
    {
        if (_subscribers.IsEmpty)
        {
            return;
        }

        var json = Render(e);
        var alias = e.Resource == LiveStreams.Tasks ? LiveStreams.TasksAlias : null;
        foreach (var subscriber in _subscribers.Values)
        {
            if (subscriber.Resources.ContainsKey(e.Resource) || (alias is not null && subscriber.Resources.ContainsKey(alias)))
            {
                await subscriber.SendAsync(json);
            }
        }
    }

    /// <summary>The original's frame: <c>{"msg_type":"data","event":...,"resource":...,"id":...,"object":{...}}</c>.</summary>
    public static string Render(LiveEvent e)
    {
        JsonNode? payload;
        try
        {
            payload = JsonNode.Parse(e.Json);
        }
        catch (JsonException)
        {
            payload = null;
        }

        return new JsonObject
        {
            ["msg_type"] = "data",
            ["event"] = e.Event,
            ["resource"] = e.Resource,
            ["id"] = e.Id == Guid.Empty ? null : e.Id.ToString(),
            ["object"] = payload,
        }.ToJsonString();
    }

    [LoggerMessage(EventId = Hosting.LogEvents.LiveUnsubscribeFailed, Level = LogLevel.Information, Message = "Live events: leaving the streams failed: {Reason}")]
    private static partial void LogUnsubscribeFailed(ILogger logger, string reason);

    [LoggerMessage(EventId = Hosting.LogEvents.LiveSubscribeFailed, Level = LogLevel.Warning, Message = "Live events: cannot subscribe to {Resource} yet: {Reason}")]
    private static partial void LogSubscribeFailed(ILogger logger, string resource, string reason);
}
