using Vdi.Grains.Interfaces.Settings;

namespace Vdi.Shared.Settings;

/// <summary>The password security levels: what a new password must have.</summary>
public static class PasswordPolicy
{
    /// <summary>The longest password accepted (and verified at a login): longer ones are refused before any hashing.</summary>
    public const int MaxLength = 256;

    /// <summary>Null when the password is acceptable, otherwise what it lacks.</summary>
    public static string? Check(PasswordSecurityLevel level, string? password)
    {
        password ??= "";
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
}
