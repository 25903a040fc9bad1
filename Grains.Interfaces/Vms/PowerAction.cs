namespace Vdi.Grains.Interfaces.Vms;

/// <summary>
/// What the broker asks a controller to do with a VM's power (ECP's <c>domains/{id}/{action}/</c>, spelled in lower
/// case on the wire: <c>start</c>, <c>shutdown</c>...). <c>force</c> is a separate flag of shutdown and reboot.
/// </summary>
[GenerateSerializer, Alias("PowerAction")]
public enum PowerAction
{
    Start = 0,
    Shutdown = 1,
    Reboot = 2,
    Suspend = 3,
    Resume = 4,
}
