using Vdi.Grains.Interfaces.Errors;
using Vdi.Grains.Interfaces.ThinClients;

namespace Vdi.WebGateway.Apis;

/// <summary>
/// The original's response envelope: <c>{"data": ...}</c> or <c>{"errors":[{"message","code"}]}</c>. Refusals with a
/// thin-client code (<see cref="ThinClientErrors.For"/>) answer HTTP 200 with it; the others keep their HTTP status.
/// </summary>
public static class Envelope
{
    public static IResult Data(object data) => TypedResults.Json(new { data });

    public static IResult Error(string message, ThinClientError code) => Error(message, code.Code());

    public static IResult Error(string message, string? code = null, int status = StatusCodes.Status200OK) =>
        TypedResults.Json(new { errors = new[] { code is null ? (object)new { message } : new { message, code } } }, statusCode: status);

    /// <summary>The one mapping of a refusal to the thin client's envelope.</summary>
    public static IResult Of(BrokerException e) => ThinClientErrors.For(e.Kind) is { } code
        ? Error(e.Message, code)
        : Error(e.Message, status: e.Kind switch
        {
            ErrorKind.NotFound => StatusCodes.Status404NotFound,
            ErrorKind.Conflict or ErrorKind.WrongStatus => StatusCodes.Status409Conflict,
            _ => StatusCodes.Status400BadRequest,
        });
}
