namespace Vdi.Simulator.Api;

/// <summary>ECP's error envelope: <c>{"errors":[{"detail","code"}]}</c>.</summary>
public static class EcpErrors
{
    public static IResult Unauthorized() => Error(StatusCodes.Status401Unauthorized, "Invalid token.", "401");

    public static IResult Error(int status, string detail, string code) =>
        TypedResults.Json(new { errors = new[] { new { detail, code } } }, statusCode: status);
}
