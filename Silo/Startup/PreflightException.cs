namespace Vdi.Silo.Startup;

/// <summary>A start-up problem an operator can fix; its message says what and where, without secrets.</summary>
public sealed class PreflightException(string message) : Exception(message);
