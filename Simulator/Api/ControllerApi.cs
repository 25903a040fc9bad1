using Microsoft.Extensions.Options;
using Vdi.Simulator.Hosting;

namespace Vdi.Simulator.Api;

/// <summary>Controller-level calls: liveness and version (the broker requires 4.3 or newer).</summary>
public static class ControllerApi
{
    public static IEndpointRouteBuilder MapControllerApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api").AddEndpointFilter<IntegrationKeyFilter>();
        api.MapGet("/controllers/check/", () => TypedResults.Ok(new { ok = true }));
        api.MapGet("/controllers/base-version/", (IOptions<SimulatorOptions> o) => TypedResults.Ok(new { version = o.Value.Version }));
        return app;
    }
}
