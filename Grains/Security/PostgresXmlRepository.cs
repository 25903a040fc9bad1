using System.Xml.Linq;
using Microsoft.AspNetCore.DataProtection.Repositories;
using Npgsql;

namespace Vdi.Grains.Security;

/// <summary>
/// Keeps ASP.NET Core Data Protection's key ring in Postgres, so every silo and gateway can decrypt what any of
/// them encrypted (controller tokens today, directory passwords and session cookies later).
/// </summary>
public sealed class PostgresXmlRepository(NpgsqlDataSource db) : IXmlRepository
{
    public IReadOnlyCollection<XElement> GetAllElements()
    {
        using var cmd = db.CreateCommand("select xml from vdi_data_protection_keys order by created");
        using var reader = cmd.ExecuteReader();
        var elements = new List<XElement>();
        while (reader.Read())
        {
            elements.Add(XElement.Parse(reader.GetString(0)));
        }

        return elements;
    }

    public void StoreElement(XElement element, string friendlyName)
    {
        using var cmd = db.CreateCommand("""
            insert into vdi_data_protection_keys (friendly_name, xml, created) values (@name, @xml, now())
            on conflict (friendly_name) do update set xml = excluded.xml
            """);
        cmd.Parameters.AddWithValue("name", friendlyName);
        cmd.Parameters.AddWithValue("xml", element.ToString(SaveOptions.DisableFormatting));
        cmd.ExecuteNonQuery();
    }
}
