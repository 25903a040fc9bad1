using Microsoft.Extensions.FileProviders;

namespace Vdi.WebGateway.Hosting;

/// <summary>
/// The admin panel: static files (HTML, JS, CSS; no data) under <c>/admin/</c>, copied next to the gateway's
/// binaries. Everything it shows comes from the authorized admin API and the live-event WebSocket.
/// </summary>
public static class AdminPanel
{
    public static string Root => Path.Combine(AppContext.BaseDirectory, "wwwroot", "admin");

    public static WebApplication UseAdminPanel(this WebApplication app)
    {
        var files = new PhysicalFileProvider(Root);
        app.UseStaticFiles(new StaticFileOptions
        {
            FileProvider = files,
            RequestPath = "/admin",
            OnPrepareResponse = ctx => ctx.Context.Response.Headers.CacheControl = "no-cache",
        });
        app.MapGet("/", () => Results.Redirect("/admin/")).AllowAnonymous().ExcludeFromDescription();
        app.MapGet("/admin/", () => Results.File(Path.Combine(Root, "index.html"), "text/html; charset=utf-8")).AllowAnonymous().ExcludeFromDescription();
        return app;
    }
}
