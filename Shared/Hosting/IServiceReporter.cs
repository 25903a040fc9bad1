namespace Vdi.Shared.Hosting;

/// <summary>The process's own report for <see cref="ServiceHeartbeat"/>: a silo or a gateway.</summary>
public interface IServiceReporter
{
    /// <summary><c>silo</c> or <c>gateway</c>.</summary>
    string Kind { get; }

    Task<ServiceReport> ReportAsync(CancellationToken cancellationToken);
}
