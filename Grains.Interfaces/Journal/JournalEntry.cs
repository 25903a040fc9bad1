namespace Vdi.Grains.Interfaces.Journal;

/// <summary>One journal event as written by a grain; a quiet one is not sent to the notification channels.</summary>
[GenerateSerializer, Immutable, Alias("JournalEntry")]
public sealed record JournalEntry(
    [property: Id(0)] JournalLevel Level,
    [property: Id(1)] string Message,
    [property: Id(2)] string Description = "",
    [property: Id(3)] EntityType? EntityType = null,
    [property: Id(4)] Guid? EntityId = null,
    [property: Id(5)] string User = "system",
    [property: Id(6)] string? ClientAddress = null,
    [property: Id(7)] bool Quiet = false)
{
    // Quiet: journalled but never mailed nor posted to webhooks (the notifier's own "could not be sent")
}
