namespace Vdi.Grains.Journal;

/// <summary>
/// The "field: old → new" lines of a change, for its journal entry (issue 14 §5): only what really changed, in the
/// order noted. A secret is noted as changed, never with its values.
/// </summary>
public sealed class ChangeLog
{
    private readonly List<string> _lines = [];

    public bool IsEmpty => _lines.Count == 0;

    /// <summary>Whether a field of these was among the changes.</summary>
    public bool Touches(params string[] fields) => _lines.Any(l => fields.Any(f => l.StartsWith(f + ":", StringComparison.Ordinal)));

    public ChangeLog Note<T>(string field, T before, T after)
    {
        if (!EqualityComparer<T>.Default.Equals(before, after))
        {
            _lines.Add($"{field}: {before} → {after}");
        }

        return this;
    }

    /// <summary>Lists compared as sets, written in the order given.</summary>
    public ChangeLog NoteList<T>(string field, IEnumerable<T> before, IEnumerable<T> after, Func<T, string>? name = null)
    {
        var (b, a) = (before.ToList(), after.ToList());
        if (!b.ToHashSet().SetEquals(a))
        {
            name ??= x => x?.ToString() ?? "";
            _lines.Add($"{field}: {string.Join(", ", b.Select(name))} → {string.Join(", ", a.Select(name))}");
        }

        return this;
    }

    /// <summary>A line of its own (a secret changed, a reset).</summary>
    public ChangeLog Add(string line)
    {
        _lines.Add(line);
        return this;
    }

    public override string ToString() => string.Join('\n', _lines);
}
