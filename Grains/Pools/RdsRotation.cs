namespace Vdi.Grains.Pools;

/// <summary>
/// The round-robin over an RDS pool's hosts (the original kept its count in Redis): each request starts one host
/// further, and gets the others after it, so a host that cannot be reached costs the user one try, not the request.
/// In memory: after a restart the rotation starts again at the first host, which only moves where it begins.
/// </summary>
public sealed class RdsRotation
{
    private long _next;

    public IReadOnlyList<Guid> Order(IReadOnlyList<Guid> hosts)
    {
        if (hosts.Count == 0)
        {
            return [];
        }

        var start = (int)(_next++ % hosts.Count);
        return [.. hosts.Skip(start), .. hosts.Take(start)];
    }
}
