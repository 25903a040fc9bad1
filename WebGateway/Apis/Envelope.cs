namespace Vdi.WebGateway.Apis;

/// <summary>The original's response envelope: <c>{"data": ...}</c> or <c>{"errors":[{"message","code"}]}</c>.</summary>
public static class Envelope
{
    public static IResult Data(object data) => TypedResults.Json(new { data });

    public static IResult Error(string message, string? code = null, int status = StatusCodes.Status200OK) =>
        TypedResults.Json(new { errors = new[] { code is null ? (object)new { message } : new { message, code } } }, statusCode: status);
}
