namespace Vdi.Grains.Interfaces.Vms;

/// <summary>The original's Status values as they apply to a VM.</summary>
[GenerateSerializer, Alias("VmStatus")]
public enum VmStatus
{
    Creating = 0,
    Active = 1,
    Failed = 2,
    Deleting = 3,
    Service = 4,
    Reserved = 5,
}
