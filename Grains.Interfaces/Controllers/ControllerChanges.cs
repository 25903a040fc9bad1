namespace Vdi.Grains.Interfaces.Controllers;

/// <summary>An update of a controller: null fields stay as they are. A new address or token is checked first.</summary>
[GenerateSerializer, Immutable, Alias("ControllerChanges")]
public sealed record ControllerChanges(
    [property: Id(0)] string User,
    [property: Id(1)] string? VerboseName = null,
    [property: Id(2)] string? Address = null,
    [property: Id(3)] string? Token = null,
    [property: Id(4)] string? Description = null,
    [property: Id(5)] ControllerTls? Tls = null)
{
    public override string ToString() => $"ControllerChanges {{ VerboseName = {VerboseName}, Address = {Address}, Token = {(Token is null ? "unchanged" : "new")}, Tls = {Tls?.Mode ?? "unchanged"}, User = {User} }}";
}
