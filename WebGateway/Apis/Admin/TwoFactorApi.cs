using System.Security.Claims;
using QRCoder;
using Vdi.Grains.Interfaces.Users;
using Vdi.WebGateway.Security;

namespace Vdi.WebGateway.Apis.Admin;

/// <summary>
/// An administrator turns on two-factor sign-in for their own account from the panel: a new secret with its QR code
/// (a PNG drawn here, so no secret leaves for a third-party service), confirmed by a first code from the authenticator;
/// turned off with a current code. The same grain rules as VeiL Connect's enrolment (<c>/client/generate_user_qr_code</c>).
/// </summary>
public static class TwoFactorApi
{
    public sealed record CodeRequest(string? Code);

    public static RouteGroupBuilder MapTwoFactorApi(this RouteGroupBuilder admin)
    {
        var g = admin.MapGroup("/me/two-factor").WithTags("Dashboard").RequireAuthorization(Roles.OperatorPolicy);
        g.MapGet("/", async (ClaimsPrincipal user, IClusterClient cluster) =>
            Results.Ok(new { enabled = (await Me(user, cluster).GetAsync())?.TwoFactor ?? false }));
        g.MapPost("/enrol", async (CodeRequest? body, ClaimsPrincipal user, IClusterClient cluster) =>
        {
            var enrollment = await Me(user, cluster).GenerateTotpSecretAsync(Code(body));
            using var data = new QRCodeGenerator().CreateQrCode(enrollment.Uri, QRCodeGenerator.ECCLevel.M);
            var png = new PngByteQRCode(data).GetGraphic(6);
            return Results.Ok(new { secret = enrollment.Secret, uri = enrollment.Uri, qr_png = Convert.ToBase64String(png) });
        });
        g.MapPost("/confirm", async (CodeRequest body, ClaimsPrincipal user, IClusterClient cluster) =>
            Results.Ok(new { enabled = (await Me(user, cluster).SetTwoFactorAsync(true, Required(body))).TwoFactor }));
        g.MapPost("/disable", async (CodeRequest body, ClaimsPrincipal user, IClusterClient cluster) =>
            Results.Ok(new { enabled = (await Me(user, cluster).SetTwoFactorAsync(false, Required(body))).TwoFactor }));
        return admin;
    }

    private static string? Code(CodeRequest? body) => body?.Code is { } c ? c.Trim()[..Math.Min(c.Trim().Length, 16)] : null;

    /// <summary>Confirming and turning off always take a code: enabling without one would trust the next login's.</summary>
    private static string Required(CodeRequest? body) => Code(body) is { Length: > 0 } code
        ? code
        : throw Vdi.Grains.Interfaces.Errors.BrokerException.Invalid("code", "code: the six digits your authenticator shows now");

    private static IUserGrain Me(ClaimsPrincipal user, IClusterClient cluster) => cluster.GetGrain<IUserGrain>(user.UserId()!.Value);
}
