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
public sealed class EcpClientFactory(IHttpClientFactory factory, IOptions<EcpClientOptions> options, TimeProvider time, ControllerTrustRegistry trust)
{
    public const string HttpClientName = "ecp";

    /// <summary>Refuses an <c>http://</c> address unless <see cref="EcpClientOptions.AllowPlainHttp"/> is set.</summary>
    public ControllerAddress RequireAllowed(ControllerAddress address) =>
        address.Root.Scheme == Uri.UriSchemeHttp && !options.Value.AllowPlainHttp
            ? throw Interfaces.Errors.BrokerException.Invalid("address",
                "address: plain http:// is refused (the integration key would cross the network in clear); use https, or set Ecp:AllowPlainHttp for a test controller")
            : address;

    /// <summary>The trust registry the shared handler asks (also for the controller's event stream).</summary>
    public ControllerTrustRegistry Trust => trust;

    /// <summary>A client over the shared, pooled handler; the controller's TLS trust applies to its handshakes.</summary>
    public EcpClient Create(ControllerAddress address, string token, ControllerTrust? tls = null)
    {
        trust.Set(address.Root, tls ?? ControllerTrust.System);
        var http = factory.CreateClient(HttpClientName);
        http.BaseAddress = address.Api;
        http.Timeout = Timeout.InfiniteTimeSpan; // the pipeline owns timeouts
        http.DefaultRequestHeaders.UserAgent.ParseAdd("vdi-broker/1.0");
        EcpClient.Authorize(http, token);
        return new EcpClient(http, options.Value, time, trust);
    }

    /// <summary>
    /// A one-off client over a handler of its own, for checking a trust that has just changed: the shared handler's
    /// pooled connections were accepted under the previous trust and would not be asked again. One attempt, bounded
    /// by the call timeout; dispose it after use.
    /// </summary>
    public (EcpClient Client, IDisposable Lifetime) Probe(ControllerAddress address, string token, ControllerTrust tls)
    {
        var probeTrust = new ControllerTrustRegistry();
        probeTrust.Set(address.Root, tls);
        var handler = new HttpClientHandler
        {
            ServerCertificateCustomValidationCallback = (request, certificate, chain, errors) => probeTrust.Validate(request.RequestUri, certificate, chain, errors),
        };
        var http = new HttpClient(handler, disposeHandler: true) { BaseAddress = address.Api, Timeout = options.Value.CallTimeout };
        http.DefaultRequestHeaders.UserAgent.ParseAdd("vdi-broker/1.0");
        EcpClient.Authorize(http, token);
        return (new EcpClient(http, options.Value, time, probeTrust), http);
    }

    /// <summary>Registers the named client and its pipeline.</summary>
    public static void Register(Microsoft.Extensions.DependencyInjection.IServiceCollection services)
    {
        services.AddSingleton<ControllerTrustRegistry>();
        services.AddHttpClient(HttpClientName)
            .ConfigurePrimaryHttpMessageHandler(sp =>
            {
                var registry = sp.GetRequiredService<ControllerTrustRegistry>();
                // each controller's own trust (its CA or pinned certificate), by the request's authority
                return new HttpClientHandler
                {
                    ServerCertificateCustomValidationCallback = (request, certificate, chain, errors) => registry.Validate(request.RequestUri, certificate, chain, errors),
                };
            })
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
