using Vdi.Grains.Interfaces.Controllers;
using Vdi.Grains.Interfaces.Pools;
using Vdi.Grains.Interfaces.Users;

namespace Vdi.WebGateway.Apis.Admin;

/// <summary>
/// The one mapping from refused operations to RFC 7807 problem details: a bad field is a 400 naming it, a clash a
/// 409, a missing entity a 404, an unreachable controller a 502. Nothing refused becomes a 500.
/// </summary>
public sealed class AdminErrors : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        try
        {
            return await next(context);
        }
        catch (PoolException e)
        {
            return e.Kind switch
            {
                PoolErrorKind.Invalid => Field(e.Field, e.Message),
                PoolErrorKind.NotFound => Problem(StatusCodes.Status404NotFound, "Not found", e.Message),
                PoolErrorKind.Conflict => Problem(StatusCodes.Status409Conflict, "Conflict", e.Message, e.Field),
                PoolErrorKind.ControllerUnavailable => Problem(StatusCodes.Status409Conflict, "Controller unavailable", e.Message, e.Field),
                _ => Problem(StatusCodes.Status409Conflict, "Not possible now", e.Message, e.Field),
            };
        }
        catch (ControllerException e)
        {
            var field = e.Message.Split(':', 2) is [var f, _] && f.All(c => char.IsLower(c) || c == '_') ? f : null;
            return e.Kind switch
            {
                ControllerErrorKind.Invalid or ControllerErrorKind.BadAuth => Field(field ?? "token", e.Message),
                ControllerErrorKind.UnsupportedVersion => Problem(StatusCodes.Status422UnprocessableEntity, "Unsupported controller", e.Message),
                ControllerErrorKind.NotFound => Problem(StatusCodes.Status404NotFound, "Not found", e.Message),
                ControllerErrorKind.Conflict => Problem(StatusCodes.Status409Conflict, "Conflict", e.Message, field),
                ControllerErrorKind.Unreachable => Problem(StatusCodes.Status502BadGateway, "Controller unreachable", e.Message, field),
                _ => Problem(StatusCodes.Status409Conflict, "Not possible now", e.Message),
            };
        }
        catch (UsernameTakenException e)
        {
            return Problem(StatusCodes.Status409Conflict, "Conflict", e.Message, "username");
        }
        catch (ArgumentException e)
        {
            var message = e.ParamName is null ? e.Message : e.Message.Replace($" (Parameter '{e.ParamName}')", "", StringComparison.Ordinal);
            return Field(message.Split(' ', 2)[0].TrimEnd(':'), message);
        }
        catch (KeyNotFoundException e)
        {
            return Problem(StatusCodes.Status404NotFound, "Not found", e.Message);
        }
        catch (InvalidOperationException e)
        {
            return Problem(StatusCodes.Status409Conflict, "Not possible now", e.Message);
        }
    }

    public static IResult Field(string? field, string message) =>
        TypedResults.ValidationProblem(new Dictionary<string, string[]> { [field ?? "body"] = [message] }, detail: message, title: "Invalid request");

    public static IResult Problem(int status, string title, string detail, string? field = null) =>
        TypedResults.Problem(detail, statusCode: status, title: title,
            extensions: field is null ? null : new Dictionary<string, object?> { ["field"] = field });
}
