namespace Vdi.WebGateway.Hosting;

/// <summary>
/// Security headers on every answer of the gateway (issue 14 §6): no MIME sniffing, no referrer, never framed, and
/// for the panel's pages a content security policy the panel satisfies: scripts, styles, images and connections
/// only from the gateway itself, and no evaluated strings: the panel runs Alpine's CSP build, which parses its
/// attributes instead of compiling them, so <c>'unsafe-eval'</c> is not needed. The API reference page (Scalar,
/// inline script) gets the frame and object rules only.
/// </summary>
public static class SecurityHeaders
{
    public const string PanelPolicy = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; " +
        "img-src 'self' data: blob:; connect-src 'self'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'; object-src 'none'";

    public const string OtherPolicy = "frame-ancestors 'none'; base-uri 'self'; object-src 'none'";

    public static IApplicationBuilder UseSecurityHeaders(this IApplicationBuilder app) => app.Use(async (http, next) =>
    {
        var path = http.Request.Path;
        http.Response.OnStarting(() =>
        {
            var headers = http.Response.Headers;
            headers.XContentTypeOptions = "nosniff";
            headers.XFrameOptions = "DENY";
            headers["Referrer-Policy"] = "no-referrer";
            headers.ContentSecurityPolicy = (path == "/" || path.StartsWithSegments("/admin")) && !path.StartsWithSegments("/admin/api.html")
                ? PanelPolicy : OtherPolicy;
            return Task.CompletedTask;
        });
        await next(http);
    });
}
