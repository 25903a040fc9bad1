using System.Text.RegularExpressions;

namespace Vdi.Grains.Vms;

/// <summary>
/// The command that sets a guest's time zone to a thin client's (§5 step 5): <c>tzutil.exe /s</c> for Windows guests,
/// <c>timedatectl set-timezone</c> otherwise; the zone converted between Windows and IANA names when the client's
/// system names it the other way (VeiL Connect on Windows sends "Russian Standard Time", on Linux "Europe/Moscow").
/// A zone that is not a time zone's name is no command: nothing a client sends reaches the guest unchecked.
/// </summary>
public static partial class GuestTimeZone
{
    public sealed record GuestCommand(string Path, IReadOnlyList<string> Arguments, string Zone);

    [GeneratedRegex(@"^[A-Za-z][A-Za-z0-9_+\-/ ().]{0,63}$")]
    private static partial Regex Name();

    public static GuestCommand? Command(string? zone, string? guestOs)
    {
        zone = zone?.Trim();
        if (string.IsNullOrEmpty(zone) || !Name().IsMatch(zone))
        {
            return null;
        }

        var windowsGuest = string.Equals(guestOs, "Windows", StringComparison.OrdinalIgnoreCase);
        if (windowsGuest)
        {
            var windows = TimeZoneInfo.TryConvertIanaIdToWindowsId(zone, out var w) ? w : zone;
            return IsWindowsId(windows) ? new GuestCommand("tzutil.exe", ["/s", windows], windows) : null;
        }

        var iana = TimeZoneInfo.TryConvertWindowsIdToIanaId(zone, out var i) ? i : zone;
        return TimeZoneInfo.TryFindSystemTimeZoneById(iana, out var found) && found.HasIanaId ? new GuestCommand("timedatectl", ["set-timezone", iana], iana) : null;
    }

    private static bool IsWindowsId(string id) => TimeZoneInfo.TryConvertWindowsIdToIanaId(id, out _);
}
