using Vdi.Grains.Interfaces.Settings;
using Vdi.Shared.Settings;

namespace Vdi.Tests.Security;

/// <summary>
/// The password levels (issue 14 §3): the original's rules as the floor, ours stricter in length and character
/// classes (docs/security.md has the comparison), and HIGH's refusal of a password close to the username.
/// </summary>
public sealed class PasswordPolicyTests
{
    [Theory]
    [InlineData(PasswordSecurityLevel.Low, "abcdefg", false)]       // 7: the original's LOW took 3
    [InlineData(PasswordSecurityLevel.Low, "abcdefgh", true)]
    [InlineData(PasswordSecurityLevel.Middle, "Abcdefgh1", false)]  // 9
    [InlineData(PasswordSecurityLevel.Middle, "abcdefghi1", false)] // two classes: the original's MIDDLE took two
    [InlineData(PasswordSecurityLevel.Middle, "Abcdefghi1", true)]
    [InlineData(PasswordSecurityLevel.High, "Abcdefghij1", false)]
    [InlineData(PasswordSecurityLevel.High, "Abcdefghij1!", true)]
    public void Each_level_asks_its_length_and_classes(PasswordSecurityLevel level, string password, bool accepted) =>
        Assert.Equal(accepted, PasswordPolicy.Check(level, password) is null);

    [Theory]
    [InlineData("ivan.petrov", "Ivan.Petrov-2026!", false)]
    [InlineData("ivan.petrov", "xPetrov-2026!Qz", false)] // a part of the name
    [InlineData("ivan.petrov", "Winter-Lake-2026!", true)]
    public void High_refuses_a_password_close_to_the_username(string username, string password, bool accepted)
    {
        Assert.Equal(accepted, PasswordPolicy.Check(PasswordSecurityLevel.High, password, username) is null);
        Assert.Null(PasswordPolicy.Check(PasswordSecurityLevel.Middle, password, username)); // only HIGH asks it, as the original
    }
}
