using Microsoft.Extensions.Diagnostics.HealthChecks;
using Vdi.WebGateway.Apis;
using Vdi.WebGateway.Apis.Admin;
using Vdi.WebGateway.Health;
using Vdi.WebGateway.Live;
using Vdi.WebGateway.ThinClients;

namespace Vdi.WebGateway.Hosting;

/// <summary>The gateway's middleware and endpoints: VeiL Connect's API and socket, the admin API and socket, the panel, health.</summary>
public static class GatewayEndpoints
{
    public static WebApplication MapGatewayEndpoints(this WebApplication app)
    {
        // the client's address: the peer's, or a trusted proxy's X-Forwarded-For (Broker:TrustedProxies). Without a
        // trusted proxy the middleware is left out: with empty lists it would believe every peer
        if (app.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<BrokerOptions>>().Value.TrustedProxies.Length > 0)
        {
            app.UseForwardedHeaders();
        }

        // every grain call made for a request carries the client's address: the journal records it with what changed
        app.Use((http, next) =>
        {
            Grains.Interfaces.Journal.AuditContext.ClientAddress = ThinClientSocket.ClientIp(http);
            return next(http);
        });
        app.UseSecurityHeaders();
        app.Use(async (http, next) =>
        {
            if (GatewayDrain.Refuses(http))
            {
                await DependencyFailures.WriteAsync(http, http.RequestAborted); // 503, Retry-After: another instance answers
                return;
            }

            await next(http);
        });
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
        app.MapOpenApi("/api/openapi/{documentName}.json").RequireAuthorization(Security.Roles.OperatorPolicy); // the API's map: admin roles only
        app.MapApiReference();
        app.MapAdminApi();
        app.MapHealthChecks("/health/live", new() { Predicate = _ => false }).AllowAnonymous();
        // ready: this gateway can serve (a silo answers). Postgres and Redis being away makes answers 503 or leaves the
        // membership as it was, but another gateway would do no better, so a load balancer keeps this one
        app.MapHealthChecks("/health/ready", new()
        {
            Predicate = c => c.Tags.Contains("ready"),
            ResponseWriter = HealthReportWriter.WriteStatusAsync, // anonymous: the status only, never exception text
            // a draining gateway is Degraded: not ready (a balancer must send new clients elsewhere)
            ResultStatusCodes =
            {
                [HealthStatus.Healthy] = StatusCodes.Status200OK,
                [HealthStatus.Degraded] = StatusCodes.Status503ServiceUnavailable,
                [HealthStatus.Unhealthy] = StatusCodes.Status503ServiceUnavailable,
            },
        }).AllowAnonymous();
        app.MapHealthChecks("/health/details", new()
        {
            ResponseWriter = HealthReportWriter.WriteAsync,
        }).RequireAuthorization(Security.Roles.OperatorPolicy);
        return app;
    }

    /// <summary>Everything under <c>/api/admin</c>: authenticated, each group with its role, refusals mapped once (<see cref="AdminErrors"/>).</summary>
    private static void MapAdminApi(this WebApplication app)
    {
        var admin = app.MapGroup("/api/admin").RequireAuthorization().AddEndpointFilter<AdminErrors>().AddEndpointFilter<RetryReadsOnSiloLoss>();
        admin.MapControllersApi();
        admin.MapPoolsApi();
        admin.MapVmsApi();
        admin.MapResourcesApi();
        admin.MapTasksApi();
        admin.MapUsersApi();
        admin.MapDirectoriesApi();
        admin.MapServicesApi();
        admin.MapNotificationsApi();
        admin.MapRetentionApi();
        admin.MapStatisticsApi();
        admin.MapThinClientsApi();
        admin.MapJournalApi();
        admin.MapSummaryApi();
        admin.MapTwoFactorApi();
        admin.MapSettingsApi();
    }
}
