using Vdi.Grains.Interfaces.Directories;

namespace Vdi.Grains.Directories;

/// <summary>What removing VMs' computer objects from Active Directory came to: the names removed, and why not the others.</summary>
[GenerateSerializer, Immutable, Alias("ComputerRemoval")]
public sealed record ComputerRemoval(
    [property: Id(0)] DirectoryOutcome Outcome,
    [property: Id(1)] string Detail,
    [property: Id(2)] IReadOnlyList<string> Removed);
