using Npgsql;
using System.Net;
using Orleans.Configuration;
using Orleans.Dashboard;
using StackExchange.Redis;
using Vdi.Grains.Hosting;
using Vdi.Grains.Interfaces.Configuration;
using Vdi.Shared.Hosting;
using Vdi.Shared.Telemetry;
using Vdi.Shared.Options;
using Vdi.Shared.Postgres;
using Vdi.Silo.Options;
using Vdi.Silo.Security;
using Vdi.Silo.Startup;

namespace Vdi.Silo.Hosting;

/// <summary>Builds and runs the silo: Orleans (Redis membership, Postgres state and reminders), the dashboard, health.</summary>
public static class SiloApplication
{
    public static async Task<int> RunAsync(string[] args)
    {
        if (args is ["migrate", ..])
        {
            return await MigrateAsync(args[1..]);
        }

        var builder = WebApplication.CreateBuilder(args);
        builder.UseProductionHosting();
        try
        {
            await Preflight.RunAsync(builder.Configuration, requireKeyCertificate: !builder.Environment.IsDevelopment());
        }
        catch (PreflightException e)
        {
            await Console.Error.WriteLineAsync($"vdi-silo: cannot start: {e.Message}");
            return 2;
        }

        await using var app = Build(builder);
        await app.RunAsync();
        return 0;
    }

    /// <summary>
    /// <c>vdi-silo migrate</c>: applies the schema files shipped in <c>sql/</c> that the database lacks, as the schema
    /// owner (<c>Postgres:MigrationConnectionString</c>, else <c>Postgres:ConnectionString</c>), under an advisory lock.
    /// </summary>
    private static async Task<int> MigrateAsync(string[] args)
    {
        var config = new ConfigurationBuilder().SetBasePath(AppContext.BaseDirectory).AddJsonFile("appsettings.json", optional: true)
            .AddSiteConfiguration(Environment.GetEnvironmentVariable("DOTNET_ENVIRONMENT") ?? Environment.GetEnvironmentVariable("ASPNETCORE_ENVIRONMENT") ?? "Production")
            .AddEnvironmentVariables().AddCommandLine(args).Build();
        var pg = config.GetSection(Vdi.Grains.Interfaces.Configuration.PostgresOptions.Section).Get<Vdi.Grains.Interfaces.Configuration.PostgresOptions>() ?? new();
        var connection = pg.MigrationConnectionString.Length > 0 ? pg.MigrationConnectionString : pg.ConnectionString;
        if (connection.Length == 0)
        {
            await Console.Error.WriteLineAsync("vdi-silo migrate: Postgres:MigrationConnectionString (or Postgres:ConnectionString) is required");
            return 2;
        }

        try
        {
            var result = await Startup.SchemaMigrator.MigrateAsync(connection, config["Migrate:SqlDirectory"]);
            Console.WriteLine(result.Applied.Count == 0
                ? $"vdi-silo migrate: the schema is at version {result.Version}; nothing to apply"
                : $"vdi-silo migrate: applied {string.Join(", ", result.Applied)}; the schema is at version {result.Version}");
            return 0;
        }
        catch (Exception e) when (e is InvalidOperationException or NpgsqlException)
        {
            await Console.Error.WriteLineAsync($"vdi-silo migrate: {e.Message}");
            return 1;
        }
    }

    /// <summary>Wires everything onto a builder whose configuration has passed <see cref="Preflight"/>.</summary>
    public static WebApplication Build(WebApplicationBuilder builder)
    {
        var config = builder.Configuration;
        var pg = Preflight.Bind<PostgresOptions>(config, PostgresOptions.Section);
        var redis = Preflight.Bind<RedisOptions>(config, RedisOptions.Section);
        var cluster = Preflight.Bind<ClusterIdentityOptions>(config, ClusterIdentityOptions.Section);
        var silo = Preflight.Bind<SiloHostOptions>(config, SiloHostOptions.Section);
        builder.Services.AddSection<AdminOptions>(config, AdminOptions.Section);
        builder.Services.AddSection<SiloHostOptions>(config, SiloHostOptions.Section);

        if (string.IsNullOrEmpty(config["urls"]))
        {
            builder.WebHost.UseUrls(SiloHostOptions.DefaultUrls);
        }

        builder.UseOrleans(orleans =>
        {
            orleans.UseRedisClustering(o => o.ConfigurationOptions = ConfigurationOptions.Parse(redis.ConnectionString));
            orleans.Configure<ClusterOptions>(o =>
            {
                o.ClusterId = cluster.ClusterId;
                o.ServiceId = cluster.ServiceId;
            });
            orleans.ConfigureEndpoints(IPAddress.Parse(silo.AdvertisedAddress), silo.SiloPort, silo.GatewayPort);
            // a silo that dies is declared dead by its peers within about 6 s (3 missed probes of 2 s) and its grains
            // are served elsewhere from then on (Orleans' defaults take 15-30 s); Cluster:Membership overrides each
            orleans.Configure<ClusterMembershipOptions>(o =>
            {
                o.ProbeTimeout = TimeSpan.FromSeconds(2);
                o.NumMissedProbesLimit = 3;
                o.TableRefreshTimeout = TimeSpan.FromSeconds(10);
                o.DeathVoteExpirationTimeout = TimeSpan.FromSeconds(30);
            });
            orleans.Services.Configure<ClusterMembershipOptions>(config.GetSection("Cluster:Membership"));
            orleans.AddVdiPersistence(PostgresTuning.ForPool(pg.ConnectionString, 50), silo.MinimumReminderPeriod);
            orleans.AddDashboard(o => o.CounterUpdateIntervalMs = (int)silo.DashboardSampleInterval.TotalMilliseconds);
            // a request's trace goes on through the grain calls (activities exist only while something listens: OTLP export)
            orleans.AddActivityPropagation();
            if (Vdi.Shared.Security.ClusterCertificates.Load(config) is { } tls)
            {
                // mutual TLS on the silo-to-silo and gateway ports: a peer without a certificate of the cluster's CA is refused
                orleans.UseTls(tls.Certificate, o =>
                {
                    o.RemoteCertificateMode = Orleans.Connections.Security.RemoteCertificateMode.RequireCertificate;
                    o.ClientCertificateMode = Orleans.Connections.Security.RemoteCertificateMode.RequireCertificate;
                    o.RemoteCertificateValidation = (certificate, _, errors) => tls.IsClusterPeer(certificate, errors);
                    o.OnAuthenticateAsClient = (_, ssl) => ssl.TargetHost = Vdi.Shared.Security.ClusterCertificates.TargetHost;
                });
            }
        });
        builder.Services.AddVdiGrainServices(PostgresTuning.ForPool(pg.ConnectionString, 50), config);
        builder.Services.AddHostedService<AdministratorSeeder>();
        builder.Services.AddHostedService<ControllerWakeup>();
        builder.Services.AddHostedService<RetentionStart>();
        builder.Services.AddSection<DefaultControllerOptions>(config, DefaultControllerOptions.Section);
        builder.Services.AddHostedService<DefaultControllerSeeder>();
        builder.Services.AddSection<DemoOptions>(config, DemoOptions.Section);
        builder.Services.AddHostedService<DemoSeeder>();
        builder.Services.AddServiceHeartbeat<SiloServiceReporter>(config);
        builder.Services.AddSingleton<InventoryGauges>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<InventoryGauges>()); // its gauges exist from the start

        // ready: the silo has started and serves its grains (Postgres or Redis away does not make another silo better);
        // each dependency's state is in the operators' /health/details
        builder.Services.AddHealthChecks()
            .AddCheck("silo", () => Microsoft.Extensions.Diagnostics.HealthChecks.HealthCheckResult.Healthy(), tags: ["ready"])
            .AddNpgSql(pg.ConnectionString, name: "postgres", tags: ["details"], timeout: TimeSpan.FromSeconds(3))
            .AddRedis(redis.ConnectionString, name: "redis", tags: ["details"], timeout: TimeSpan.FromSeconds(3));
        builder.Services.AddOperatorAuthentication();
        builder.AddBrokerTelemetry("vdi-silo");

        var app = builder.Build();
        app.Use(async (http, next) =>
        {
            // the dashboard and sign-in pages: no sniffing, no referrer, never framed (issue 14 §6)
            http.Response.OnStarting(() =>
            {
                http.Response.Headers.XContentTypeOptions = "nosniff";
                http.Response.Headers.XFrameOptions = "DENY";
                http.Response.Headers["Referrer-Policy"] = "no-referrer";
                http.Response.Headers.ContentSecurityPolicy = "frame-ancestors 'none'; base-uri 'self'; object-src 'none'";
                return Task.CompletedTask;
            });
            await next(http);
        });
        app.UseAuthentication();
        app.UseAuthorization();
        app.MapHealthChecks("/health/live", new() { Predicate = _ => false }).AllowAnonymous();
        app.MapHealthChecks("/health/ready", new() { Predicate = c => c.Tags.Contains("ready") }).AllowAnonymous();
        app.MapHealthChecks("/health/details").RequireAuthorization(OperatorAuthentication.DashboardPolicy);
        app.MapBrokerMetrics();
        app.MapOperatorLogin();
        app.MapOrleansDashboard(routePrefix: "/dashboard").RequireAuthorization(OperatorAuthentication.DashboardPolicy);
        app.MapGet("/", () => Results.Redirect("/dashboard/")).AllowAnonymous();
        return app;
    }
}
