namespace Vdi.Grains.Interfaces.Journal;

/// <summary>
/// Who is asking, carried with every grain call a gateway makes for a request (Orleans' <see cref="RequestContext"/>),
/// so the journal records the client's address with whatever the request changed, however deep in the cluster.
/// </summary>
public static class AuditContext
{
    private const string ClientAddressKey = "vdi.client-address";

    /// <summary>The address of the client whose request this call serves (the peer, or the trusted proxy's forwarded one).</summary>
    public static string ClientAddress
    {
        get => RequestContext.Get(ClientAddressKey) as string ?? "";
        set => RequestContext.Set(ClientAddressKey, value);
    }
}
