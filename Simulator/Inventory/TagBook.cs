using System.Collections.Concurrent;

namespace Vdi.Simulator.Inventory;

/// <summary>ECP tags (the broker tags a pool's VMs with the pool's name).</summary>
public sealed class TagBook
{
    private readonly ConcurrentDictionary<Guid, Tag> _tags = new();

    public sealed record Tag(Guid Id, string VerboseName, string Colour);

    public IEnumerable<Tag> All => _tags.Values.OrderBy(t => t.VerboseName, StringComparer.Ordinal);

    public Tag? Get(Guid id) => _tags.GetValueOrDefault(id);

    /// <summary>Creates a tag; null when the name is taken (ECP's names are unique).</summary>
    public Tag? Create(string name, string colour)
    {
        var tag = new Tag(Guid.NewGuid(), name, colour);
        lock (_tags)
        {
            if (_tags.Values.Any(t => t.VerboseName == name))
            {
                return null;
            }

            _tags[tag.Id] = tag;
        }

        return tag;
    }

    public Tag? Update(Guid id, string? name, string? colour)
    {
        lock (_tags)
        {
            if (!_tags.TryGetValue(id, out var tag))
            {
                return null;
            }

            return _tags[id] = tag with { VerboseName = name ?? tag.VerboseName, Colour = colour ?? tag.Colour };
        }
    }

    public bool Remove(Guid id) => _tags.TryRemove(id, out _);

    /// <summary>Replaces the tags with those of a state file.</summary>
    public void Restore(IEnumerable<Tag> tags)
    {
        lock (_tags)
        {
            _tags.Clear();
            foreach (var tag in tags)
            {
                _tags[tag.Id] = tag;
            }
        }
    }
}
