namespace Vdi.Grains.Interfaces.Live;

/// <summary>
/// Where live events flow: one stream per resource (the stream key) on the "live" stream provider. The resource
/// names are the original's, and the same names appear in the WebSocket messages to admin panels and thin clients.
/// </summary>
public static class LiveStreams
{
    public const string Provider = "live";
    public const string Namespace = "live";

    /// <summary>
    /// The provider's queues, the same on silos and clients (a producer's queue must be one a silo pulls). Each queue's
    /// pulling agent polls it every <see cref="PullPeriod"/> whether or not anything was published: Orleans' defaults
    /// (8 queues, 100 ms) were a tenth of an idle silo's CPU.
    /// </summary>
    public const int Queues = 2;

    /// <summary>How often a silo's pulling agent polls an empty queue (a queue with messages is read on at once).</summary>
    public static readonly TimeSpan PullPeriod = TimeSpan.FromMilliseconds(250);

    public const string Controllers = "/controllers/";
    public const string Domains = "/domains/";
    public const string Pools = "/pools/";
    public const string Tasks = "/vdi_tasks/";
    public const string ThinClients = "/thin_clients/";
    public const string Users = "/users/";
    public const string Events = "/events/";

    /// <summary>The controllers' own resources, relayed from their event streams (a controller's id in each message).</summary>
    public const string Clusters = "/clusters/";
    public const string Nodes = "/nodes/";
    public const string DataPools = "/data-pools/";

    /// <summary>The old name of <see cref="Tasks"/> that admin panels may still subscribe to.</summary>
    public const string TasksAlias = "/tasks/";

    /// <summary>Every stream the broker publishes on.</summary>
    public static readonly IReadOnlyList<string> All = [Controllers, Pools, Domains, Tasks, ThinClients, Users, Events, Clusters, Nodes, DataPools];
}
