using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Http.Resilience;
using Microsoft.Extensions.Options;
using Polly;

namespace Vdi.Grains.Controllers.Ecp;

/// <summary>
/// Builds clients for controllers. All share one named HttpClient whose resilience pipeline (attempt timeout,
/// retries with exponential backoff on transient failures, circuit breaker) is kept per controller authority, so
/// one controller that is down never slows the calls to another.
/// </summary>
public sealed class EcpClientFactory(IHttpClientFactory factory, IOptions<EcpClientOptions> options, TimeProvider time)
{
    public const string HttpClientName = "ecp";

    /// <summary>Refuses an <c>http://</c> address unless <see cref="EcpClientOptions.AllowPlainHttp"/> is set.</summary>
    public ControllerAddress RequireAllowed(ControllerAddress address) =>
        address.Root.Scheme == Uri.UriSchemeHttp && !options.Value.AllowPlainHttp
            ? throw Interfaces.Errors.BrokerException.Invalid("address",
                "address: plain http:// is refused (the integration key would cross the network in clear); use https, or set Ecp:AllowPlainHttp for a test controller")
            : address;

    public EcpClient Create(ControllerAddress address, string token)
    {
        var http = factory.CreateClient(HttpClientName);
        http.BaseAddress = address.Api;
        http.Timeout = Timeout.InfiniteTimeSpan; // the pipeline owns timeouts
        http.DefaultRequestHeaders.UserAgent.ParseAdd("vdi-broker/1.0");
        EcpClient.Authorize(http, token);
        return new EcpClient(http, options.Value, time);
    }

    /// <summary>Registers the named client and its pipeline.</summary>
    public static void Register(Microsoft.Extensions.DependencyInjection.IServiceCollection services)
    {
        services.AddHttpClient(HttpClientName)
            .AddResilienceHandler("ecp", (pipeline, context) =>
            {
                var o = context.ServiceProvider.GetRequiredService<IOptions<EcpClientOptions>>().Value;
                pipeline
                    .AddTimeout(o.CallTimeout) // outermost: the overall deadline of one call, retries included
                    .AddRetry(new HttpRetryStrategyOptions
                    {
                        MaxRetryAttempts = Math.Max(1, o.RetryAttempts),
                        Delay = o.RetryDelay,
                        BackoffType = DelayBackoffType.Exponential,
                        UseJitter = true,
                        ShouldHandle = args => ValueTask.FromResult(o.RetryAttempts > 0 && HttpClientResiliencePredicates.IsTransient(args.Outcome)),
                    })
                    .AddCircuitBreaker(new HttpCircuitBreakerStrategyOptions
                    {
                        FailureRatio = 0.9,
                        MinimumThroughput = 10,
                        SamplingDuration = TimeSpan.FromSeconds(30),
                        BreakDuration = TimeSpan.FromSeconds(5),
                    })
                    .AddTimeout(o.AttemptTimeout);
            })
            .SelectPipelineByAuthority();
    }
}
