using Microsoft.Extensions.Options;
using Orleans.Configuration;
using Orleans.Hosting;
using Orleans.Serialization;
using Orleans.Storage;
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
    /// subscriptions (Orleans' binary serializer: its pub-sub types do not round-trip through JSON) in Postgres, and the in-memory live-event streams. The production silo and the test clusters
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
        // Stream subscriptions are Orleans' own types (PubSubPublisherState and friends), which System.Text.Json
        // cannot bind back; they keep Orleans' binary serializer while our grains keep readable JSON.
        silo.AddAdoNetGrainStorage(PubSubStore, (OptionsBuilder<AdoNetGrainStorageOptions> options) =>
            options.Configure<Serializer>((o, serializer) =>
            {
                o.Invariant = NpgsqlInvariant;
                o.ConnectionString = postgresConnectionString;
                o.GrainStorageSerializer = new OrleansGrainStorageSerializer(serializer);
            }));
        silo.UseSystemTextJsonGrainStorageSerializer();
        silo.AddMemoryStreams(LiveStreams.Provider, b =>
        {
            b.ConfigurePartitioning(LiveStreams.Queues);
            b.ConfigurePullingAgent(o => o.Configure(a => a.GetQueueMsgsTimerPeriod = LiveStreams.PullPeriod));
        });
        silo.UseAdoNetReminderService(o =>
        {
            o.Invariant = NpgsqlInvariant;
            o.ConnectionString = postgresConnectionString;
        });
        silo.AddIncomingGrainCallFilter<Vdi.Grains.Hosting.DependencyFailureFilter>();
        if (minimumReminderPeriod is { } period)
        {
            silo.Configure<ReminderOptions>(o => o.MinimumReminderPeriod = period);
        }

        return silo;
    }
}
