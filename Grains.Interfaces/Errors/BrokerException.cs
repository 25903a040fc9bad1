namespace Vdi.Grains.Interfaces.Errors;

/// <summary>
/// The one refusal that crosses the grain boundary: a kind, the field it is about when there is one, and a message
/// fit for the administrator or the user. Anything else thrown by a grain is a bug (a logged 500), or a dependency
/// failure (a 503).
/// </summary>
[GenerateSerializer, Alias("BrokerException")]
public sealed class BrokerException(ErrorKind kind, string message, string? field = null) : Exception(message)
{
    [Id(0)]
    public ErrorKind Kind { get; } = kind;

    [Id(1)]
    public string? Field { get; } = field;

    public static BrokerException Invalid(string field, string message) => new(ErrorKind.Invalid, message, field);

    public static BrokerException NotFound(string message) => new(ErrorKind.NotFound, message);

    public static BrokerException Conflict(string message, string? field = null) => new(ErrorKind.Conflict, message, field);

    /// <summary>The database did not answer (<see cref="ErrorKind.DependencyUnavailable"/>); the message names no internals.</summary>
    public static BrokerException Unavailable(string what) => new(ErrorKind.DependencyUnavailable, $"The broker's database did not answer ({what}); nothing was changed. Try again in a few seconds.");

    public static BrokerException Overloaded(string message) => new(ErrorKind.Overloaded, message);

    public static BrokerException Forbidden(string message, string? field = null) => new(ErrorKind.Forbidden, message, field);

    public static BrokerException WrongStatus(string message, string? field = null) => new(ErrorKind.WrongStatus, message, field);
}
