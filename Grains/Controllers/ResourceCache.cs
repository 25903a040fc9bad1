using Vdi.Grains.Interfaces.Controllers;

namespace Vdi.Grains.Controllers;

/// <summary>A controller's resource lists (clusters, nodes, templates...) for a short while, so browsing does not call ECP each time.</summary>
public sealed class ResourceCache(TimeProvider time)
{
    private readonly Dictionary<ResourceKind, (DateTimeOffset At, IReadOnlyList<ControllerResource> Items)> _lists = [];

    public bool TryGet(ResourceKind kind, TimeSpan ttl, out IReadOnlyList<ControllerResource> items)
    {
        if (_lists.TryGetValue(kind, out var cached) && time.GetUtcNow() - cached.At < ttl)
        {
            items = cached.Items;
            return true;
        }

        items = [];
        return false;
    }

    public void Put(ResourceKind kind, IReadOnlyList<ControllerResource> items) => _lists[kind] = (time.GetUtcNow(), items);

    public void Clear() => _lists.Clear();

    public void Clear(ResourceKind kind) => _lists.Remove(kind);
}
