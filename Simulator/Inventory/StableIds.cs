using System.Security.Cryptography;
using System.Text;

namespace Vdi.Simulator.Inventory;

/// <summary>Name-based UUIDs: the same simulator name and entity name give the same id on every start.</summary>
public static class StableIds
{
    public static Guid For(string simulator, string kind, string name)
    {
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes($"{simulator}/{kind}/{name}"));
        var bytes = hash.AsSpan(0, 16).ToArray();
        bytes[7] = (byte)((bytes[7] & 0x0F) | 0x50); // version 5 layout (little-endian Guid field order)
        bytes[8] = (byte)((bytes[8] & 0x3F) | 0x80); // RFC 4122 variant
        return new Guid(bytes);
    }
}
