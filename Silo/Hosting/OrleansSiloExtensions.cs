using Orleans.Configuration;
using Orleans.Hosting;
using Vdi.Grains;
using Vdi.Grains.Interfaces.Live;

namespace Vdi.Silo.Hosting;

public static class OrleansSiloExtensions
{
    /// <summary>Npgsql's ADO.NET invariant name, which Orleans maps to Npgsql's factory itself.</summary>
    public const string NpgsqlInvariant = "Npgsql";

    /// <summary>Where stream subscriptions are kept (Orleans' conventional name).</summary>
    public const string PubSubStore = "PubSubStore";

    /// <summary>
    /// Grain state (System.Text.Json payloads, so stored rows carry no CLR type names), reminders and stream
    /// subscriptions in Postgres, and the in-memory live-event streams. The production silo and the test clusters
    /// share this wiring.
    /// </summary>
    public static ISiloBuilder AddVdiPersistence(this ISiloBuilder silo, string postgresConnectionString,
        TimeSpan? minimumReminderPeriod = null)
    {
        silo.AddAdoNetGrainStorage(StorageNames.Main, o =>
        {
            o.Invariant = NpgsqlInvariant;
            o.ConnectionString = postgresConnectionString;
        });
        silo.AddAdoNetGrainStorage(PubSubStore, o =>
        {
            o.Invariant = NpgsqlInvariant;
            o.ConnectionString = postgresConnectionString;
        });
        silo.UseSystemTextJsonGrainStorageSerializer();
        silo.AddMemoryStreams(LiveStreams.Provider);
        silo.UseAdoNetReminderService(o =>
        {
            o.Invariant = NpgsqlInvariant;
            o.ConnectionString = postgresConnectionString;
        });
        if (minimumReminderPeriod is { } period)
        {
            silo.Configure<ReminderOptions>(o => o.MinimumReminderPeriod = period);
        }

        return silo;
    }
}
