namespace Vdi.Grains.Security;

[GenerateSerializer, Alias("SigningKeyState")]
public sealed class SigningKeyState
{
    /// <summary>The key, Data-Protection encrypted.</summary>
    [Id(0)] public string ProtectedKey { get; set; } = "";
}
