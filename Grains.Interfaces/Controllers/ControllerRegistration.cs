namespace Vdi.Grains.Interfaces.Controllers;

/// <summary>What an administrator gives to add a controller. The token is the ECP integration key.</summary>
[GenerateSerializer, Immutable, Alias("ControllerRegistration")]
public sealed record ControllerRegistration(
    [property: Id(0)] string VerboseName,
    [property: Id(1)] string Address,
    [property: Id(2)] string Token,
    [property: Id(3)] string Description,
    [property: Id(4)] string User,
    [property: Id(5)] ControllerTls? Tls = null)
{
    /// <summary>Never print the token.</summary>
    public override string ToString() => $"ControllerRegistration {{ VerboseName = {VerboseName}, Address = {Address}, User = {User} }}";
}
