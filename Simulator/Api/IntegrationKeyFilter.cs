using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;
using Vdi.Simulator.Hosting;

namespace Vdi.Simulator.Api;

/// <summary>ECP's REST authentication: <c>Authorization: jwt &lt;integration key&gt;</c>, 401 otherwise.</summary>
public sealed class IntegrationKeyFilter(IOptions<SimulatorOptions> options) : IEndpointFilter
{
    private const string Scheme = "jwt ";

    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var header = context.HttpContext.Request.Headers.Authorization.ToString();
        if (!header.StartsWith(Scheme, StringComparison.OrdinalIgnoreCase) || !Matches(header[Scheme.Length..].Trim()))
        {
            return EcpErrors.Unauthorized();
        }

        return await next(context);
    }

    private bool Matches(string presented) => CryptographicOperations.FixedTimeEquals(
        Encoding.UTF8.GetBytes(presented), Encoding.UTF8.GetBytes(options.Value.Token));
}
