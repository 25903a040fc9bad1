using Vdi.Grains.Interfaces.Live;
using Vdi.WebGateway.Live;
using System.Text.Json;
using System.Text.Json.Serialization;
using Npgsql;
using Orleans.Configuration;
using StackExchange.Redis;
using Vdi.Grains.Interfaces.Configuration;
using Vdi.WebGateway.Apis;
using Vdi.WebGateway.Apis.Admin;
using Vdi.WebGateway.Health;
using Vdi.WebGateway.Security;
using Vdi.WebGateway.ThinClients;

namespace Vdi.WebGateway.Hosting;

/// <summary>
/// The HTTP and WebSocket front of the broker. It holds no state of its own: it joins the cluster as an Orleans
/// client through Redis membership, so any number of gateways can run side by side.
/// </summary>
public static class GatewayApplication
{
    public const string DefaultUrls = "http://127.0.0.1:8080";

    public static WebApplication Create(string[] args)
    {
        var builder = WebApplication.CreateBuilder(args);
        var config = builder.Configuration;
        var pg = Bind<PostgresOptions>(builder, PostgresOptions.Section);
        var redis = Bind<RedisOptions>(builder, RedisOptions.Section);
        var cluster = Bind<ClusterIdentityOptions>(builder, ClusterIdentityOptions.Section);

        if (string.IsNullOrEmpty(config["urls"]))
        {
            builder.WebHost.UseUrls(DefaultUrls);
        }

        // Kestrel answers /health/live while the client is still looking for a silo.
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
            client.AddMemoryStreams(LiveStreams.Provider);
        });
        builder.Services.AddSingleton<LiveEventHub>();
        builder.Services.AddSingleton<Vdi.Grains.Interfaces.Settings.SettingsCache>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<LiveEventHub>());

        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton(_ => NpgsqlDataSource.Create(PostgresOptions.ForPool(pg.ConnectionString, 40)));
        builder.Services.AddSingleton<AdminQueries>();
        builder.Services.AddSingleton<ThinClientDirectory>();
        builder.Services.AddSingleton<LocalClients>();
        builder.Services.AddOptions<BrokerOptions>().BindConfiguration(BrokerOptions.Section)
            .Validate(o => Version.TryParse(o.MinimumClientVersion, out _), "Broker:MinimumClientVersion must be a version such as 1.14.6")
            .ValidateOnStart();
        builder.Services.ConfigureHttpJsonOptions(o =>
        {
            o.SerializerOptions.PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower;
            o.SerializerOptions.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseUpper, allowIntegerValues: false));
        });
        builder.Services.AddProblemDetails();
        builder.Services.AddExceptionHandler<DependencyFailures>();
        builder.Services.AddBrokerAuthentication();
        builder.Services.AddOpenApi(o => o.AddDocumentTransformer((document, _, _) =>
        {
            // every call but login carries "Authorization: JWT <token>" (the thin client's scheme; Bearer works too)
            document.Info.Title = "VDI broker API";
            document.Components ??= new Microsoft.OpenApi.OpenApiComponents();
            document.Components.SecuritySchemes ??= new Dictionary<string, Microsoft.OpenApi.IOpenApiSecurityScheme>();
            document.Components.SecuritySchemes["jwt"] = new Microsoft.OpenApi.OpenApiSecurityScheme
            {
                Type = Microsoft.OpenApi.SecuritySchemeType.ApiKey,
                In = Microsoft.OpenApi.ParameterLocation.Header,
                Name = "Authorization",
                Description = "JWT <access_token from POST /api/auth/>",
            };
            document.Security = [new Microsoft.OpenApi.OpenApiSecurityRequirement { [new Microsoft.OpenApi.OpenApiSecuritySchemeReference("jwt", document)] = [] }];
            return Task.CompletedTask;
        }));

        builder.Services.AddHealthChecks()
            .AddNpgSql(PostgresOptions.ForPool(pg.ConnectionString, 5), name: "postgres", tags: ["ready"])
            .AddRedis(redis.ConnectionString, name: "redis", tags: ["ready"])
            .AddCheck<ClusterHealthCheck>("cluster", tags: ["ready"]);

        var app = builder.Build();
        if (!string.IsNullOrEmpty(app.Configuration["Broker:ThinClientLimit"]))
        {
            app.Logger.LogWarning("Broker:ThinClientLimit is no longer read: the thin-client limit is the broker setting " +
                "(admin panel or PATCH /api/admin/settings; until changed, the silo's ThinClients:Limit)");
        }

        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseWebSockets();
        app.UseAdminPanel();
        app.UseAuthentication();
        app.UseAuthorization();
        app.MapAuthApi();
        app.MapThinClientApi();
        app.MapThinClientSocket();
        app.MapAdminSocket();
        app.MapOpenApi("/api/openapi/{documentName}.json").RequireAuthorization();
        app.MapApiReference();
        var admin = app.MapGroup("/api/admin").RequireAuthorization().AddEndpointFilter<AdminErrors>();
        admin.MapControllersApi();
        admin.MapPoolsApi();
        admin.MapVmsApi();
        admin.MapTasksApi();
        admin.MapUsersApi();
        admin.MapThinClientsApi();
        admin.MapJournalApi();
        admin.MapSummaryApi();
        admin.MapSettingsApi();
        app.MapHealthChecks("/health/live", new() { Predicate = _ => false }).AllowAnonymous();
        app.MapHealthChecks("/health/ready", new()
        {
            Predicate = c => c.Tags.Contains("ready"),
            ResponseWriter = HealthReportWriter.WriteAsync,
        }).AllowAnonymous();
        return app;
    }

    /// <summary>Registers validated options and returns their start-up values for the Orleans client.</summary>
    private static T Bind<T>(WebApplicationBuilder builder, string section) where T : class, new()
    {
        builder.Services.AddOptions<T>().BindConfiguration(section).ValidateDataAnnotations().ValidateOnStart();
        return builder.Configuration.GetSection(section).Get<T>() ?? new T();
    }
}
