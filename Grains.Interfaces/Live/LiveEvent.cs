namespace Vdi.Grains.Interfaces.Live;

/// <summary>
/// A change for the admin view, in the original's vocabulary: resource (<c>/domains/</c>, <c>/controllers/</c>...),
/// event (CREATED, UPDATED, DELETED...), the entity id and its JSON.
/// </summary>
[GenerateSerializer, Immutable, Alias("LiveEvent")]
public sealed record LiveEvent(
    [property: Id(0)] string Resource,
    [property: Id(1)] string Event,
    [property: Id(2)] Guid Id,
    [property: Id(3)] string Json);
