using Vdi.Simulator.Api;

namespace Vdi.Simulator.Hosting;

/// <summary>An ECP VeiL-compatible controller for the demo, the tests and the benchmarks.</summary>
public static class SimulatorApplication
{
    public const string DefaultUrls = "http://127.0.0.1:8100";

    public static WebApplication Create(string[] args)
    {
        var builder = WebApplication.CreateBuilder(args);
        if (string.IsNullOrEmpty(builder.Configuration["urls"]))
        {
            builder.WebHost.UseUrls(DefaultUrls);
        }

        builder.Services.AddOptions<SimulatorOptions>().BindConfiguration(SimulatorOptions.Section)
            .ValidateDataAnnotations().ValidateOnStart();
        builder.Services.ConfigureHttpJsonOptions(o => o.SerializerOptions.PropertyNamingPolicy = System.Text.Json.JsonNamingPolicy.SnakeCaseLower);

        var app = builder.Build();
        app.MapGet("/health/live", () => TypedResults.Ok(new { status = "Healthy" }));
        app.MapControllerApi();
        return app;
    }
}
