using Vdi.Shared.Telemetry;
using Vdi.Shared.Hosting;

namespace Vdi.WebGateway.Hosting;

/// <summary>
/// The HTTP and WebSocket front of the broker. It holds no state of its own: it joins the cluster as an Orleans
/// client through Redis membership, so any number of gateways can run side by side. Composed as eShop composes its
/// services: the cluster client, the gateway's services, its OpenAPI document, then its endpoints.
/// </summary>
public static class GatewayApplication
{
    public const string DefaultUrls = "http://127.0.0.1:8080";

    public static WebApplication Create(string[] args)
    {
        var builder = WebApplication.CreateBuilder(args);
        builder.UseProductionHosting();
        if (string.IsNullOrEmpty(builder.Configuration["urls"]))
        {
            builder.WebHost.UseUrls(DefaultUrls);
        }

        builder.AddClusterClient();
        builder.AddGatewayServices();
        builder.AddBrokerTelemetry("vdi-web");
        builder.Services.AddGatewayOpenApi();

        var app = builder.Build();
        app.WarnAboutRetiredSettings();
        // SSO's settings are checked (and its keytab handed to GSSAPI) now: a missing keytab stops the start, not the first request
        _ = app.Services.GetRequiredService<Security.KerberosSso>();
        app.MapGatewayEndpoints();
        app.MapBrokerMetrics();
        return app;
    }
}
