namespace Vdi.Grains.Interfaces.Pools;

/// <summary>The original's spellings (SPICE_DIRECT, NATIVE_RDP, SHUTDOWN_FORCED...) for enums on the wire and in SQL.</summary>
public static class WireNames
{
    public static string ToWire<T>(this T value) where T : struct, Enum =>
        string.Concat(value.ToString().Select((c, i) => i > 0 && char.IsUpper(c) ? $"_{c}" : $"{char.ToUpperInvariant(c)}"));

    /// <summary>A name in any case, with or without underscores; numbers are not names (Enum.TryParse would take "1").</summary>
    public static bool TryParseWire<T>(string? text, out T value) where T : struct, Enum
    {
        value = default;
        return !string.IsNullOrEmpty(text) && char.IsLetter(text[0])
            && Enum.TryParse(text.Replace("_", "", StringComparison.Ordinal), ignoreCase: true, out value) && Enum.IsDefined(value);
    }
}
