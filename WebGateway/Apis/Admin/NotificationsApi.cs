using System.Security.Claims;
using Vdi.Grains.Interfaces.Notifications;
using Vdi.WebGateway.Security;

namespace Vdi.WebGateway.Apis.Admin;

/// <summary>
/// Notifications (the original's SMTP settings and "check connection", plus webhooks): mail to the active superusers
/// with an e-mail address and signed JSON POSTs, each from its own journal level on.
/// </summary>
public static class NotificationsApi
{
    public sealed record SmtpRequest(string? Host, int? Port, SmtpSecurity? Security, string? Username, string? Password, string? FromAddress, NotificationLevel? Level);

    public sealed record WebhookRequest(string? Url, string? Secret, NotificationLevel? Level);

    /// <summary>A missing <c>smtp</c> or <c>webhooks</c> keeps it; a missing password or secret keeps the stored one.</summary>
    public sealed record NotificationsRequest(SmtpRequest? Smtp, IReadOnlyList<WebhookRequest>? Webhooks);

    public static RouteGroupBuilder MapNotificationsApi(this RouteGroupBuilder admin)
    {
        var g = admin.MapGroup("/notifications").WithTags("Settings").RequireAuthorization(Roles.AdministratorPolicy);
        g.MapGet("/", (IClusterClient cluster) => cluster.GetGrain<INotificationsGrain>(0).GetAsync());
        g.MapPut("/", async (NotificationsRequest body, IClusterClient cluster, ClaimsPrincipal user) =>
        {
            var grain = cluster.GetGrain<INotificationsGrain>(0);
            var current = (await grain.GetAsync()).Smtp;
            var smtp = body.Smtp is { } s
                ? new SmtpChanges(s.Host ?? current.Host, s.Port ?? current.Port, s.Security ?? current.Security, s.Username ?? current.Username, s.Password,
                    s.FromAddress ?? current.FromAddress, s.Level ?? current.Level)
                : null;
            var hooks = body.Webhooks?.Select(w => new WebhookChange(w.Url ?? "", w.Secret, w.Level ?? NotificationLevel.Errors)).ToList();
            return await grain.UpdateAsync(smtp, hooks, user.UserName());
        });
        g.MapPost("/test", (IClusterClient cluster, ClaimsPrincipal user) => cluster.GetGrain<INotificationsGrain>(0).TestAsync(user.UserName()));
        return admin;
    }
}
