using Vdi.WebGateway.Security;

namespace Vdi.WebGateway.Apis.Admin;

/// <summary>The dashboard's figures in one call, and who the caller is (for the panel's menus).</summary>
public static class SummaryApi
{
    public static RouteGroupBuilder MapSummaryApi(this RouteGroupBuilder admin)
    {
        admin.MapGet("/summary", (AdminQueries q) => q.SummaryAsync()).WithTags("Dashboard").RequireAuthorization(Roles.OperatorPolicy);
        admin.MapGet("/me", (System.Security.Claims.ClaimsPrincipal user, Microsoft.Extensions.Options.IOptions<Hosting.BrokerOptions> broker) => Results.Ok(new
        {
            id = user.UserId(),
            username = user.UserName(),
            roles = user.FindAll(System.Security.Claims.ClaimTypes.Role).Select(c => c.Value).Distinct().ToArray(),
            dashboard_url = broker.Value.DashboardUrl,
            broker_name = broker.Value.Name,
        })).WithTags("Dashboard");
        return admin;
    }
}
