namespace Vdi.WebGateway.Hosting;

/// <summary>
/// Keeps the gateway's Orleans client trying to reach a silo instead of failing start-up: a gateway started
/// before the silos (or during a cluster restart) becomes ready as soon as a silo answers.
/// </summary>
public sealed partial class RetryUntilClusterAnswers(ILogger<RetryUntilClusterAnswers> logger) : IClientConnectionRetryFilter
{
    private static readonly TimeSpan Delay = TimeSpan.FromSeconds(2);

    public async Task<bool> ShouldRetryConnectionAttempt(Exception exception, CancellationToken cancellationToken)
    {
        LogRetry(exception.Message, Delay.TotalSeconds);
        await Task.Delay(Delay, cancellationToken);
        return true;
    }

    [LoggerMessage(EventId = LogEvents.ClusterNotAnswering, Level = LogLevel.Warning, Message = "No silo reachable yet ({Reason}); retrying in {Seconds} s")]
    private partial void LogRetry(string reason, double seconds);
}
