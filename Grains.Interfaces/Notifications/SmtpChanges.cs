namespace Vdi.Grains.Interfaces.Notifications;

/// <summary>New SMTP settings; a null password keeps the stored one, an empty one removes it.</summary>
[GenerateSerializer, Immutable, Alias("SmtpChanges")]
public sealed record SmtpChanges(
    [property: Id(0)] string Host,
    [property: Id(1)] int Port,
    [property: Id(2)] SmtpSecurity Security,
    [property: Id(3)] string Username,
    [property: Id(4)] string? Password,
    [property: Id(5)] string FromAddress,
    [property: Id(6)] NotificationLevel Level)
{
    public override string ToString() => $"SmtpChanges {{ Host = {Host}, Port = {Port}, Password = {(Password is null ? "unchanged" : "new")} }}";
}
