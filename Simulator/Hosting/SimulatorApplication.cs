using Vdi.Simulator.Api;
using Vdi.Simulator.Events;
using Vdi.Simulator.Faults;
using Vdi.Simulator.Inventory;
using Vdi.Simulator.Tasks;

namespace Vdi.Simulator.Hosting;

/// <summary>An ECP VeiL-compatible controller for the demo, the tests and the benchmarks.</summary>
public static class SimulatorApplication
{
    public const string DefaultUrls = "http://127.0.0.1:8100";

    public static WebApplication Create(string[] args)
    {
        var builder = WebApplication.CreateBuilder(args);
        builder.Host.UseSystemd(); // vdi-simulator.service (Type=notify) on a demo host; nothing outside systemd
        if (string.IsNullOrEmpty(builder.Configuration["urls"]))
        {
            builder.WebHost.UseUrls(DefaultUrls);
        }

        builder.Services.AddOptions<SimulatorOptions>().BindConfiguration(SimulatorOptions.Section)
            .ValidateDataAnnotations().ValidateOnStart();
        builder.Services.ConfigureHttpJsonOptions(o => o.SerializerOptions.PropertyNamingPolicy = System.Text.Json.JsonNamingPolicy.SnakeCaseLower);
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<EventHub>();
        builder.Services.AddSingleton<EventLog>();
        builder.Services.AddSingleton<TaskBook>();
        builder.Services.AddSingleton<SimInventory>();
        builder.Services.AddSingleton<DomainOperations>();
        builder.Services.AddSingleton<TagBook>();
        builder.Services.AddSingleton<FaultState>();
        builder.Services.AddSingleton<SimulatorState>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<SimulatorState>());

        var app = builder.Build();
        app.Services.GetRequiredService<SimulatorState>(); // the state file is read before the first request
        app.UseWebSockets(new WebSocketOptions { KeepAliveInterval = TimeSpan.FromSeconds(10) });
        app.UseMiddleware<FaultMiddleware>();
        app.UseMiddleware<IdempotencyMiddleware>();
        app.MapGet("/health/live", () => TypedResults.Ok(new { status = "Healthy" }));
        app.MapControllerApi();
        app.MapControllerSocket();
        app.MapSimulatorControl();
        return app;
    }
}
