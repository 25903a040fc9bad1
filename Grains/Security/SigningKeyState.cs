namespace Vdi.Grains.Security;

[GenerateSerializer, Alias("SigningKeyState")]
public sealed class SigningKeyState
{
    /// <summary>The current key, Data-Protection encrypted.</summary>
    [Id(0)] public string ProtectedKey { get; set; } = "";

    /// <summary>The current key's id (the tokens' <c>kid</c>).</summary>
    [Id(1)] public string CurrentId { get; set; } = "";

    /// <summary>When the current key was made (it is replaced <see cref="SigningKeyOptions.Rotation"/> later).</summary>
    [Id(2)] public DateTimeOffset? Created { get; set; }

    /// <summary>The key before it, still accepted until <see cref="PreviousUntil"/>.</summary>
    [Id(3)] public string ProtectedPrevious { get; set; } = "";

    [Id(4)] public string? PreviousId { get; set; }

    [Id(5)] public DateTimeOffset? PreviousUntil { get; set; }
}
