using Vdi.Grains.Interfaces.Errors;

namespace Vdi.WebGateway.Apis;

/// <summary>The thin-client API's one mapping of refusals: the original's envelope and code (<see cref="Envelope.Of"/>).</summary>
public sealed class EnvelopeErrors : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        try
        {
            return await next(context);
        }
        catch (BrokerException e) when (e.Kind is not (ErrorKind.DependencyUnavailable or ErrorKind.Overloaded)) // those are DependencyFailures' 503
        {
            return Envelope.Of(e);
        }
    }
}
