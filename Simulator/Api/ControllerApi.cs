using Microsoft.Extensions.Options;
using Vdi.Simulator.Hosting;

namespace Vdi.Simulator.Api;

/// <summary>The ECP REST surface under <c>/api/</c>, behind the integration key.</summary>
public static class ControllerApi
{
    public static IEndpointRouteBuilder MapControllerApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api").AddEndpointFilter<IntegrationKeyFilter>();
        api.MapGet("/controllers/check/", () => TypedResults.Ok(new { ok = true }));
        api.MapGet("/controllers/base-version/", (IOptions<SimulatorOptions> o) => TypedResults.Ok(new { version = o.Value.Version }));
        api.MapResources();
        api.MapDomains();
        api.MapCloning();
        api.MapGuest();
        api.MapTasks();
        api.MapTags();
        api.MapBackups();
        api.MapEvents();
        return app;
    }
}
