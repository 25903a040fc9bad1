using System.Diagnostics;
using System.Reflection;
using System.Text.Json;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;
using NpgsqlTypes;

namespace Vdi.Shared.Hosting;

/// <summary>
/// Writes this process's row of <c>vdi_services</c> at start, every <see cref="HeartbeatOptions.HeartbeatInterval"/>,
/// and once more as stopped when it stops cleanly; the services page and <c>GET /api/admin/services</c> read the
/// rows. A database that does not answer costs one warning (and one line when it answers again), never the process.
/// </summary>
public sealed partial class ServiceHeartbeat(
    NpgsqlDataSource db,
    IServiceReporter reporter,
    IOptions<HeartbeatOptions> options,
    IHostApplicationLifetime lifetime,
    TimeProvider time,
    ILogger<ServiceHeartbeat> logger) : BackgroundService
{
    /// <summary>The product's version (the broker's assemblies share it), without the build metadata.</summary>
    public static readonly string Version =
        (typeof(ServiceHeartbeat).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0.0.0").Split('+')[0];

    /// <summary>When this process started.</summary>
    public static readonly DateTimeOffset Started = Process.GetCurrentProcess().StartTime.ToUniversalTime();

    private bool _failing;
    private ServiceReport? _last;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // the first report once the process serves (a gateway knows its address only then)
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using (lifetime.ApplicationStarted.Register(() => started.TrySetResult()))
        await using (stoppingToken.Register(() => started.TrySetCanceled()))
        {
            try
            {
                await started.Task;
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }

        using var timer = new PeriodicTimer(options.Value.HeartbeatInterval, time);
        do
        {
            await BeatAsync(stopped: false, stoppingToken);
        }
        while (await WaitAsync(timer, stoppingToken));
    }

    private static async Task<bool> WaitAsync(PeriodicTimer timer, CancellationToken ct)
    {
        try
        {
            return await timer.WaitForNextTickAsync(ct);
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        if (_last is null)
        {
            return; // it never reported: nothing to mark stopped
        }

        using var bounded = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        bounded.CancelAfter(TimeSpan.FromSeconds(3)); // a stop never waits long for a database that does not answer
        await BeatAsync(stopped: true, bounded.Token);
    }

    private async Task BeatAsync(bool stopped, CancellationToken ct)
    {
        try
        {
            var report = stopped ? _last! with { Health = "STOPPED" } : await reporter.ReportAsync(ct);
            _last = report;
            var now = time.GetUtcNow();
            await using var cmd = db.CreateCommand("""
                insert into vdi_services (kind, address, name, host, version, started, last_seen, stopped, health, details)
                values (@kind, @address, @name, @host, @version, @started, @now, @stopped, @health, @details)
                on conflict (kind, address) do update set name = excluded.name, host = excluded.host, version = excluded.version,
                    started = excluded.started, last_seen = excluded.last_seen, stopped = excluded.stopped, health = excluded.health,
                    details = excluded.details;
                delete from vdi_services where last_seen < @forget;
                """);
            cmd.Parameters.AddWithValue("kind", reporter.Kind);
            cmd.Parameters.AddWithValue("address", report.Address);
            cmd.Parameters.AddWithValue("name", report.Name);
            cmd.Parameters.AddWithValue("host", Environment.MachineName);
            cmd.Parameters.AddWithValue("version", Version);
            cmd.Parameters.AddWithValue("started", Started);
            cmd.Parameters.AddWithValue("now", now);
            cmd.Parameters.AddWithValue("stopped", stopped ? now : DBNull.Value);
            cmd.Parameters.AddWithValue("health", report.Health);
            cmd.Parameters.Add(new NpgsqlParameter("details", NpgsqlDbType.Jsonb) { Value = JsonSerializer.Serialize(report.Details) });
            cmd.Parameters.AddWithValue("forget", now - options.Value.KeepStoppedFor);
            await cmd.ExecuteNonQueryAsync(ct);
            if (_failing)
            {
                _failing = false;
                LogRestored();
            }
        }
        catch (Exception e) when (e is NpgsqlException or TimeoutException or InvalidOperationException
                                       || (e is OperationCanceledException && !ct.IsCancellationRequested))
        {
            if (!_failing)
            {
                _failing = true;
                LogFailed(e.Message);
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
    }

    [LoggerMessage(EventId = SharedLogEvents.HeartbeatFailed, Level = LogLevel.Warning, Message = "The services page's report could not be written: {Reason}")]
    private partial void LogFailed(string reason);

    [LoggerMessage(EventId = SharedLogEvents.HeartbeatRestored, Level = LogLevel.Information, Message = "The services page's report is written again")]
    private partial void LogRestored();
}
