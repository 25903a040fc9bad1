using Vdi.Grains.Interfaces.Settings;

namespace Vdi.Shared.Settings;

/// <summary>The password security levels: what a new password must have.</summary>
public static class PasswordPolicy
{
    /// <summary>The longest password accepted (and verified at a login): longer ones are refused before any hashing.</summary>
    public const int MaxLength = 256;

    /// <summary>Null when the password is acceptable, otherwise what it lacks.</summary>
    public static string? Check(PasswordSecurityLevel level, string? password, string? username = null)
    {
        password ??= "";
        if (level == PasswordSecurityLevel.High && !string.IsNullOrWhiteSpace(username) && TooCloseToName(password, username))
        {
            return $"password: too similar to the username {username} (password security level HIGH)";
        }

        var (length, classes) = level switch
        {
            PasswordSecurityLevel.High => (12, 4),
            PasswordSecurityLevel.Middle => (10, 3),
            _ => (8, 1),
        };
        if (password.Length > MaxLength)
        {
            return $"password: at most {MaxLength} characters";
        }

        if (password.Length < length)
        {
            return $"password: at least {length} characters (password security level {level.ToString().ToUpperInvariant()})";
        }

        var have = new[] { password.Any(char.IsLower), password.Any(char.IsUpper), password.Any(char.IsDigit), password.Any(c => !char.IsLetterOrDigit(c)) }.Count(x => x);
        return have >= classes
            ? null
            : $"password: needs {classes} of lower-case letters, capitals, digits and other characters (password security level {level.ToString().ToUpperInvariant()})";
    }

    /// <summary>The original's HIGH rule: the name in the password or the password in the name, or any part of the name (split at - . _ @) of 2 characters or more in it.</summary>
    private static bool TooCloseToName(string password, string username)
    {
        var p = password.ToLowerInvariant();
        var u = username.Trim().ToLowerInvariant();
        return p.Contains(u, StringComparison.Ordinal) || (p.Length > 0 && u.Contains(p, StringComparison.Ordinal))
            || u.Split(['-', '.', '_', '@'], StringSplitOptions.RemoveEmptyEntries).Any(part => part.Length >= 2 && p.Contains(part, StringComparison.Ordinal));
    }
}
