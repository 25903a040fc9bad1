namespace Vdi.Grains.Interfaces.Vms;

/// <summary>ECP's user_power_state.</summary>
[GenerateSerializer, Alias("PowerState")]
public enum PowerState
{
    Undefined = 0,
    Off = 1,
    Suspended = 2,
    On = 3,
}
