namespace Vdi.Grains.Interfaces.Vms;

/// <summary>One backup file of a VM on its controller.</summary>
[GenerateSerializer, Immutable, Alias("VmBackup")]
public sealed record VmBackup(
    [property: Id(0)] Guid Id,
    [property: Id(1)] string FileName,
    [property: Id(2)] DateTimeOffset? Created);
