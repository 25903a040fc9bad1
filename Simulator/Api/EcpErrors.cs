using Vdi.Simulator.Events;
using Vdi.Simulator.Tasks;

namespace Vdi.Simulator.Api;

/// <summary>ECP's answers: the error envelope <c>{"errors":[{"detail","code"}]}</c> and 202 with <c>_task</c>.</summary>
public static class EcpErrors
{
    public static IResult Unauthorized() => Error(StatusCodes.Status401Unauthorized, "Invalid token.", "401");

    public static IResult NotFound() => Error(StatusCodes.Status404NotFound, "Not found.", "404");

    public static IResult BadRequest(string detail) => Error(StatusCodes.Status400BadRequest, detail, "400");

    public static IResult Error(int status, string detail, string code) =>
        TypedResults.Json(new { errors = new[] { new { detail, code } } }, statusCode: status);

    /// <summary>202 Accepted with the task, as every asynchronous ECP operation answers.</summary>
    public static IResult Accepted(SimTask? task, object? entity = null) => task is null
        ? NotFound()
        : Results.Json(new { _task = task.ToJson(), entity }, EventHub.Json, statusCode: StatusCodes.Status202Accepted);
}
