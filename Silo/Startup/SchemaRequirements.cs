namespace Vdi.Silo.Startup;

/// <summary>The database schema this build needs (scripts/sql).</summary>
public static class SchemaRequirements
{
    /// <summary>The highest scripts/sql/NNN_*.sql file this build knows.</summary>
    public const int Version = 20;

    /// <summary>The query keys the Orleans 10.4.2 ADO.NET storage and reminder providers read.</summary>
    public static readonly IReadOnlyList<string> OrleansQueryKeys =
    [
        "WriteToStorageKey", "ReadFromStorageKey", "ClearStorageKey", "DeleteStorageKey",
        "UpsertReminderRowKey", "ReadReminderRowsKey", "ReadReminderRowKey", "ReadRangeRows1Key",
        "ReadRangeRows2Key", "DeleteReminderRowKey", "DeleteReminderRowsKey",
    ];
}
