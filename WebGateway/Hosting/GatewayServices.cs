using System.Text.Json;
using System.Text.Json.Serialization;
using Npgsql;
using Orleans.Configuration;
using Vdi.Shared.Hosting;
using StackExchange.Redis;
using Vdi.Grains.Interfaces.Configuration;
using Vdi.Grains.Interfaces.Live;
using Vdi.Shared.Options;
using Vdi.Shared.Postgres;
using Vdi.Shared.Settings;
using Vdi.WebGateway.Apis.Admin;
using Vdi.WebGateway.Health;
using Vdi.WebGateway.Live;
using Vdi.WebGateway.Security;
using Vdi.WebGateway.ThinClients;

namespace Vdi.WebGateway.Hosting;

/// <summary>What a gateway is made of: the Orleans client, its Postgres reads, authentication, health checks, JSON.</summary>
public static partial class GatewayServices
{
    /// <summary>Joins the cluster through Redis membership; Kestrel answers <c>/health/live</c> while it looks for a silo.</summary>
    public static WebApplicationBuilder AddClusterClient(this WebApplicationBuilder builder)
    {
        var redis = builder.Section<RedisOptions>(RedisOptions.Section);
        var cluster = builder.Section<ClusterIdentityOptions>(ClusterIdentityOptions.Section);
        builder.Services.Configure<HostOptions>(o => o.ServicesStartConcurrently = true);
        builder.UseOrleansClient(client =>
        {
            client.UseRedisClustering(o => o.ConfigurationOptions = ConfigurationOptions.Parse(redis.ConnectionString));
            client.Configure<ClusterOptions>(o =>
            {
                o.ClusterId = cluster.ClusterId;
                o.ServiceId = cluster.ServiceId;
            });
            client.UseConnectionRetryFilter<RetryUntilClusterAnswers>();
            client.AddActivityPropagation(); // the request's trace continues into the grains (when something listens)
            // a silo that died leaves the gateway's list within 10 s even if its connection did not drop visibly
            client.Configure<GatewayOptions>(o => o.GatewayListRefreshPeriod = TimeSpan.FromSeconds(10));
            client.AddMemoryStreams(LiveStreams.Provider, b => b.ConfigurePartitioning(LiveStreams.Queues));
            if (Vdi.Shared.Security.ClusterCertificates.Load(builder.Configuration) is { } tls)
            {
                // the cluster's mutual TLS: this gateway shows its certificate and talks only to silos of the cluster's CA
                client.UseTls(tls.Certificate, o =>
                {
                    o.RemoteCertificateMode = Orleans.Connections.Security.RemoteCertificateMode.RequireCertificate;
                    o.RemoteCertificateValidation = (certificate, _, errors) => tls.IsClusterPeer(certificate, errors);
                    o.OnAuthenticateAsClient = (_, ssl) => ssl.TargetHost = Vdi.Shared.Security.ClusterCertificates.TargetHost;
                });
            }
        });
        return builder;
    }

    public static WebApplicationBuilder AddGatewayServices(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        var pg = builder.Section<PostgresOptions>(PostgresOptions.Section);
        var redis = SectionOptions.Read<RedisOptions>(builder.Configuration, RedisOptions.Section); // registered with the cluster client
        services.AddSection<BrokerOptions>(builder.Configuration, BrokerOptions.Section);
        services.AddSection<Security.SsoOptions>(builder.Configuration, Security.SsoOptions.Section);
        services.AddSingleton<Security.KerberosSso>();
        services.AddSingleton<Security.TrustedDomainNames>();

        services.AddSingleton(TimeProvider.System);
        var trusted = SectionOptions.Read<BrokerOptions>(builder.Configuration, BrokerOptions.Section).TrustedProxies;
        services.Configure<Microsoft.AspNetCore.Builder.ForwardedHeadersOptions>(o =>
        {
            o.ForwardedHeaders = Microsoft.AspNetCore.HttpOverrides.ForwardedHeaders.XForwardedFor | Microsoft.AspNetCore.HttpOverrides.ForwardedHeaders.XForwardedProto;
            o.KnownProxies.Clear(); // not even loopback by default: only the configured proxies
            o.KnownIPNetworks.Clear();
#pragma warning disable ASPDEPR005 // the retired list still holds 127.0.0.0/8 by default, and is still consulted
            o.KnownNetworks.Clear();
#pragma warning restore ASPDEPR005
            foreach (var proxy in trusted)
            {
                o.KnownProxies.Add(System.Net.IPAddress.TryParse(proxy, out var ip) ? ip
                    : throw new InvalidOperationException($"Broker:TrustedProxies: '{proxy}' is not an IP address"));
            }
        });
        services.AddSingleton<LiveEventHub>();
        services.AddHostedService(sp => sp.GetRequiredService<LiveEventHub>());
        services.AddSingleton<SettingsCache>();
        services.AddSingleton(sp =>
        {
            var o = sp.GetRequiredService<Microsoft.Extensions.Options.IOptions<BrokerOptions>>().Value;
            return new Vdi.Shared.Security.LoginThrottle(o.LoginsPerMinutePerAddress, o.LoginsPerMinutePerUsername);
        });
        services.AddSingleton(_ => NpgsqlDataSource.Create(PostgresTuning.ForPool(pg.ConnectionString, 40)));
        services.AddSingleton<AdminQueries>();
        services.AddSingleton<Vdi.Shared.Statistics.StatisticsRollup>();
        services.AddSingleton<StatisticsQueries>();
        services.AddSingleton<ThinClientDirectory>();
        services.AddSingleton<LocalClients>();
        services.ConfigureHttpJsonOptions(o =>
        {
            o.SerializerOptions.PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower;
            o.SerializerOptions.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseUpper, allowIntegerValues: false));
        });
        services.AddProblemDetails();
        services.AddExceptionHandler<DependencyFailures>();
        services.AddBrokerAuthentication();
        services.AddHealthChecks()
            .AddNpgSql(PostgresTuning.ForPool(pg.ConnectionString, 5), name: "postgres", tags: ["details"], timeout: TimeSpan.FromSeconds(3))
            .AddRedis(redis.ConnectionString, name: "redis", tags: ["details"], timeout: TimeSpan.FromSeconds(3))
            .AddCheck<ClusterHealthCheck>("cluster", tags: ["ready"])
            .AddCheck<GatewayDrain>("drain", tags: ["ready"]);
        services.AddSection<DrainOptions>(builder.Configuration, DrainOptions.Section);
        services.AddSingleton<GatewayDrain>();
        services.AddHostedService(sp => sp.GetRequiredService<GatewayDrain>());
        services.AddSingleton<GatewayMetrics>();
        services.AddServiceHeartbeat<GatewayServiceReporter>(builder.Configuration);
        // the host waits for the drain, then for the server's requests (systemd's TimeoutStopSec is longer still)
        var drain = builder.Configuration.GetSection(DrainOptions.Section).Get<DrainOptions>() ?? new();
        services.Configure<HostOptions>(o => o.ShutdownTimeout = drain.ReadinessDelay + drain.SocketTimeout + TimeSpan.FromSeconds(10));
        return builder;
    }

    /// <summary>A setting the old gateway read and the broker no longer does: said once at start, so nobody wonders why it has no effect.</summary>
    public static void WarnAboutRetiredSettings(this WebApplication app)
    {
        if (!string.IsNullOrEmpty(app.Configuration["Broker:ThinClientLimit"]))
        {
            LogRetired(app.Logger, "Broker:ThinClientLimit", "the thin-client limit is the broker setting " +
                "(admin panel or PATCH /api/admin/settings; until changed, the silo's ThinClients:Limit)");
        }
    }

    /// <summary>Registers a validated section and returns its start-up value, for what is wired before the host is built.</summary>
    private static T Section<T>(this WebApplicationBuilder builder, string section) where T : class, new()
    {
        builder.Services.AddSection<T>(builder.Configuration, section);
        return SectionOptions.Read<T>(builder.Configuration, section);
    }

    [LoggerMessage(EventId = LogEvents.RetiredSetting, Level = LogLevel.Warning, Message = "{Setting} is no longer read: {Instead}")]
    private static partial void LogRetired(ILogger logger, string setting, string instead);
}
