using Vdi.Grains.Interfaces.Controllers;

namespace Vdi.Grains.Controllers;

/// <summary>The persisted controller record; the token is stored only Data-Protection encrypted.</summary>
[GenerateSerializer, Alias("ControllerState")]
public sealed class ControllerState
{
    [Id(0)] public string VerboseName { get; set; } = "";
    [Id(1)] public string Address { get; set; } = "";
    [Id(2)] public string Description { get; set; } = "";
    [Id(3)] public ControllerStatus Status { get; set; }
    [Id(4)] public string Version { get; set; } = "";
    [Id(5)] public string ProtectedToken { get; set; } = "";
    [Id(6)] public string? StatusReason { get; set; }
    [Id(7)] public DateTimeOffset Created { get; set; }
    [Id(8)] public DateTimeOffset Updated { get; set; }
    /// <summary>The controller's TLS trust (null: the host's store), normalised by <see cref="Ecp.ControllerTrust.Parse"/>.</summary>
    [Id(9)] public ControllerTls? Tls { get; set; }

    public ControllerView ToView(Guid id) =>
        new(id, VerboseName, Address, Description, Status, Version, StatusReason, Created, Updated, Ecp.ControllerTrust.Of(Tls).View);
}
