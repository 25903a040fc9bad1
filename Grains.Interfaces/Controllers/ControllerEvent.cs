namespace Vdi.Grains.Interfaces.Controllers;

/// <summary>One entry of an ECP controller's own event log (its <c>events/</c>): 0 info, 1 warning, 2 error.</summary>
[GenerateSerializer, Immutable, Alias("ControllerEvent")]
public sealed record ControllerEvent(
    [property: Id(0)] string Id,
    [property: Id(1)] int EventType,
    [property: Id(2)] string Message,
    [property: Id(3)] string Description,
    [property: Id(4)] string User,
    [property: Id(5)] DateTimeOffset? Created);

/// <summary>A page of a controller's event log; <c>Count</c> is the controller's total.</summary>
[GenerateSerializer, Immutable, Alias("ControllerEventPage")]
public sealed record ControllerEventPage(
    [property: Id(0)] long Count,
    [property: Id(1)] IReadOnlyList<ControllerEvent> Results);
