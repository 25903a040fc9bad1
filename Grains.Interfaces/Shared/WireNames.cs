using System.Collections.Concurrent;

namespace Vdi.Grains.Interfaces.Shared;

/// <summary>
/// The one mapping between enums and the original's spellings on the wire and in SQL (SPICE_DIRECT, NATIVE_RDP,
/// SHUTDOWN_FORCED, BAD_AUTH...): the member's name in upper snake case. Names are computed once per member.
/// </summary>
public static class WireNames
{
    public static string ToWire<T>(this T value) where T : struct, Enum => Names<T>.Of(value);

    /// <summary>The wire name in lower case, as ECP spells actions in its URLs (<c>domains/{id}/start/</c>).</summary>
    public static string ToWireLower<T>(this T value) where T : struct, Enum => Names<T>.LowerOf(value);

    /// <summary>A name in any case, with or without underscores; numbers are not names (Enum.TryParse would take "1").</summary>
    public static bool TryParseWire<T>(string? text, out T value) where T : struct, Enum
    {
        value = default;
        return !string.IsNullOrEmpty(text) && char.IsLetter(text[0])
            && Enum.TryParse(text.Replace("_", "", StringComparison.Ordinal), ignoreCase: true, out value) && Enum.IsDefined(value);
    }

    /// <summary>Every defined member's wire name, in declaration order (for messages listing what is allowed).</summary>
    public static IReadOnlyList<string> All<T>() where T : struct, Enum => [.. Enum.GetValues<T>().Select(v => v.ToWire())];

    private static class Names<T> where T : struct, Enum
    {
        private static readonly ConcurrentDictionary<T, string> Upper = new();
        private static readonly ConcurrentDictionary<T, string> Lower = new();

        public static string Of(T value) => Upper.GetOrAdd(value, static v =>
            string.Concat(v.ToString().Select((c, i) => i > 0 && char.IsUpper(c) ? $"_{c}" : $"{char.ToUpperInvariant(c)}")));

        public static string LowerOf(T value) => Lower.GetOrAdd(value, static v => Of(v).ToLowerInvariant());
    }
}
