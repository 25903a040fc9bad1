using System.Text.Json;
using Vdi.Grains.Controllers.Ecp;
using Vdi.Grains.Interfaces.Vms;
using Vdi.Grains.Vms;

namespace Vdi.Grains.Controllers.Events;

/// <summary>Turns a controller's <c>/domains/</c> message into a change of the VM grain it is about.</summary>
public static class DomainEvents
{
    public static Task DispatchAsync(IGrainFactory grains, Guid controllerId, JsonElement message) =>
        EcpDomainEvent.Parse(message) is { } e
            ? grains.GetGrain<IVmInternalGrain>(e.Id).ApplyDomainChangeAsync(new DomainChange(controllerId, e.Event, e.VerboseName, e.PowerState, null))
            : Task.CompletedTask;
}
