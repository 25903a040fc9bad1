namespace Vdi.Grains.Interfaces.Controllers;

/// <summary>The original's Status values as they apply to a controller.</summary>
[GenerateSerializer, Alias("ControllerStatus")]
public enum ControllerStatus
{
    Creating = 0,
    Active = 1,
    Failed = 2,
    Deleting = 3,
    Service = 4,
    BadAuth = 5,
}
