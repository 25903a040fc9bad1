using Vdi.Grains.Interfaces.Shared;
using Vdi.Grains.Interfaces.Errors;

namespace Vdi.WebGateway.Apis.Admin;

/// <summary>
/// The one mapping from refusals to RFC 7807 problem details on the admin API: each <see cref="ErrorKind"/> is one
/// status, with the field when the refusal names one. Only <see cref="BrokerException"/> is a refusal: anything else
/// a handler throws is a bug (a logged 500) or a dependency failure (a 503, <c>DependencyFailures</c>).
/// </summary>
public sealed class AdminErrors : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        try
        {
            return await next(context);
        }
        catch (BrokerException e) when (e.Kind is not (ErrorKind.DependencyUnavailable or ErrorKind.Overloaded)) // those are DependencyFailures' 503
        {
            return Of(e);
        }
    }

    /// <summary>Each refusal names its kind in <c>code</c> (e.g. <c>NOT_FOUND</c>, <c>CONTROLLER_UNREACHABLE</c>): the panel says it in its language.</summary>
    public static IResult Of(BrokerException e)
    {
        var code = e.Kind.ToWire();
        return e.Kind switch
        {
            ErrorKind.Invalid or ErrorKind.UnknownProtocol or ErrorKind.TokenRejected => Field(e.Field ?? (e.Kind == ErrorKind.TokenRejected ? "token" : null), e.Message, code),
            ErrorKind.NotFound => Problem(StatusCodes.Status404NotFound, "Not found", e.Message, e.Field, code),
            ErrorKind.Conflict => Problem(StatusCodes.Status409Conflict, "Conflict", e.Message, e.Field, code),
            ErrorKind.WrongStatus or ErrorKind.Busy => Problem(StatusCodes.Status409Conflict, "Not possible now", e.Message, e.Field, code),
            ErrorKind.ControllerUnavailable => Problem(StatusCodes.Status409Conflict, "Controller unavailable", e.Message, e.Field, code),
            ErrorKind.UnsupportedVersion => Problem(StatusCodes.Status422UnprocessableEntity, "Unsupported controller", e.Message, e.Field, code),
            ErrorKind.ControllerUnreachable => Problem(StatusCodes.Status502BadGateway, "Controller unreachable", e.Message, e.Field, code),
            ErrorKind.VmUnreachable or ErrorKind.VmLost => Problem(StatusCodes.Status502BadGateway, "The controller could not do it", e.Message, e.Field, code),
            ErrorKind.Forbidden => Problem(StatusCodes.Status403Forbidden, "Not allowed", e.Message, e.Field, code),
            ErrorKind.Timeout => Problem(StatusCodes.Status504GatewayTimeout, "The controller did not answer in time", e.Message, e.Field, code),
            _ => Problem(StatusCodes.Status409Conflict, "Not possible now", e.Message, e.Field, code),
        };
    }

    public static IResult Field(string? field, string message, string code = "INVALID") =>
        TypedResults.ValidationProblem(new Dictionary<string, string[]> { [field ?? "body"] = [message] }, detail: message, title: "Invalid request",
            extensions: new Dictionary<string, object?> { ["code"] = code });

    public static IResult Problem(int status, string title, string detail, string? field = null, string? code = null)
    {
        var extensions = new Dictionary<string, object?>();
        if (field is not null)
        {
            extensions["field"] = field;
        }

        if (code is not null)
        {
            extensions["code"] = code;
        }

        return TypedResults.Problem(detail, statusCode: status, title: title, extensions: extensions);
    }
}
