namespace Vdi.Grains.Interfaces.Controllers;

/// <summary>The original's wire names of statuses (ACTIVE, FAILED, BAD_AUTH...).</summary>
public static class ControllerStatusNames
{
    public static string ToWire(this ControllerStatus status) => status switch
    {
        ControllerStatus.Creating => "CREATING",
        ControllerStatus.Active => "ACTIVE",
        ControllerStatus.Failed => "FAILED",
        ControllerStatus.Deleting => "DELETING",
        ControllerStatus.Service => "SERVICE",
        ControllerStatus.BadAuth => "BAD_AUTH",
        _ => throw new ArgumentOutOfRangeException(nameof(status), status, "unknown status"),
    };
}
