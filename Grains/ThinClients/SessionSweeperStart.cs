using Microsoft.Extensions.Options;
using Vdi.Grains.Hosting;
using Vdi.Grains.Interfaces.ThinClients;

namespace Vdi.Grains.ThinClients;

/// <summary>Whether this silo has made sure the cluster's sweeper runs (once per silo is enough).</summary>
public sealed class SessionSweeperStart
{
    public bool Ensured { get; set; }
}
