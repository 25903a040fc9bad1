namespace Vdi.Simulator.Inventory;

/// <summary>ECP's <c>user_power_state</c>.</summary>
public enum PowerState
{
    Undefined = 0,
    Off = 1,
    Suspended = 2,
    On = 3,
}
