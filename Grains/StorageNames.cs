namespace Vdi.Grains;

/// <summary>Names of the grain storage providers; the silo registers them under these names.</summary>
public static class StorageNames
{
    /// <summary>ADO.NET grain storage on the broker's Postgres database.</summary>
    public const string Main = "pg";
}
