using Scalar.AspNetCore;

namespace Vdi.WebGateway.Hosting;

/// <summary>
/// The interactive API reference. The OpenAPI document needs a token like every other endpoint, so the reference is
/// a panel page (<c>/admin/api.html</c>) that fetches the document with the panel's token and hands it to Scalar's
/// viewer; <c>/api/reference/</c> serves only that viewer's script (Scalar.AspNetCore, MIT).
/// </summary>
public static class ApiReference
{
    public static WebApplication MapApiReference(this WebApplication app)
    {
        app.MapScalarApiReference("/api/reference", o => o.WithTitle("VDI broker API").WithOpenApiRoutePattern("/api/openapi/{documentName}.json"))
            .AllowAnonymous();
        return app;
    }
}
