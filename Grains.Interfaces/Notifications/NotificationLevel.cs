namespace Vdi.Grains.Interfaces.Notifications;

/// <summary>From which journal level on a channel is told (the original's SMTP <c>level</c>: 0 all, 1, 2, 4 off).</summary>
public enum NotificationLevel
{
    All = 0,
    WarningsAndErrors = 1,
    Errors = 2,
    Off = 4,
}
