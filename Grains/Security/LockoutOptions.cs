using System.ComponentModel.DataAnnotations;

namespace Vdi.Grains.Security;

/// <summary>
/// Account lockout (section <c>Security:Lockout</c>): after <see cref="Threshold"/> failed logins in a row (wrong
/// password or wrong one-time code) the account is locked for <see cref="First"/>; each further lockout before a
/// successful login doubles it, up to <see cref="Longest"/>. A security administrator can unlock at any time.
/// </summary>
public sealed class LockoutOptions
{
    public const string Section = "Security:Lockout";

    [Range(1, 100, ErrorMessage = "Security:Lockout:Threshold must be 1 to 100 failed logins")]
    public int Threshold { get; set; } = 5;

    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00", ErrorMessage = "Security:Lockout:First must be 1 s to 1 day")]
    public TimeSpan First { get; set; } = TimeSpan.FromMinutes(1);

    [Range(typeof(TimeSpan), "00:00:01", "7.00:00:00", ErrorMessage = "Security:Lockout:Longest must be 1 s to 7 days")]
    public TimeSpan Longest { get; set; } = TimeSpan.FromHours(1);
}

/// <summary>The failures and lockouts of one account (persisted with the user; kept in memory for a name nobody holds).</summary>
[GenerateSerializer, Alias("LockoutState")]
public sealed class LockoutState
{
    /// <summary>Failed logins since the last success or lockout.</summary>
    [Id(0)] public int Failures { get; set; }

    /// <summary>Lockouts since the last successful login: each one lasts twice the one before.</summary>
    [Id(1)] public int Lockouts { get; set; }

    [Id(2)] public DateTimeOffset? LockedUntil { get; set; }

    /// <summary>How long the account stays locked from <paramref name="now"/>; zero when it is not locked.</summary>
    public TimeSpan RemainingAt(DateTimeOffset now) => LockedUntil is { } until && until > now ? until - now : TimeSpan.Zero;

    /// <summary>Counts a failure; returns the lockout it starts, or null.</summary>
    public TimeSpan? Fail(DateTimeOffset now, LockoutOptions options)
    {
        Failures++;
        if (Failures < options.Threshold)
        {
            return null;
        }

        var ticks = options.First.Ticks * Math.Pow(2, Math.Min(Lockouts, 30));
        var length = TimeSpan.FromTicks((long)Math.Min(ticks, options.Longest.Ticks));
        Failures = 0;
        Lockouts++;
        LockedUntil = now + length;
        return length;
    }

    /// <summary>A successful login, or a security administrator's unlock: everything forgotten.</summary>
    public void Clear()
    {
        Failures = 0;
        Lockouts = 0;
        LockedUntil = null;
    }
}

/// <summary>
/// The clock of logins (lockouts, one-time passwords, password expiry): the system's, or a test's fake one, without
/// moving the clock of the whole silo.
/// </summary>
public sealed class SecurityClock(TimeProvider time)
{
    public TimeProvider Time { get; } = time;

    public DateTimeOffset Now => Time.GetUtcNow();
}
