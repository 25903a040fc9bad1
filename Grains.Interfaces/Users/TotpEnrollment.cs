namespace Vdi.Grains.Interfaces.Users;

[GenerateSerializer, Immutable, Alias("TotpEnrollment")]
public sealed record TotpEnrollment(
    [property: Id(0)] string Secret,
    [property: Id(1)] string Uri);
