namespace Vdi.Grains.Vms.Policies;

/// <summary>An action waiting for its deadline after a user stopped using the VM (kept in the VM's state).</summary>
[GenerateSerializer, Alias("PendingDisconnect")]
public sealed class PendingDisconnect
{
    /// <summary>Names this one wait: the task a recreation starts is keyed by it, so a repeated firing starts it once.</summary>
    [Id(0)] public Guid Id { get; set; }
    [Id(1)] public Guid UserId { get; set; }
    [Id(2)] public DateTimeOffset LeftAt { get; set; }
    [Id(3)] public DateTimeOffset Deadline { get; set; }

    /// <summary>
    /// Set when the user's socket went away rather than the user leaving the VM: until then the client may come back
    /// (the pool's timeout starts only afterwards, and <see cref="Deadline"/> counts both).
    /// </summary>
    [Id(4)] public DateTimeOffset? GraceUntil { get; set; }
}
