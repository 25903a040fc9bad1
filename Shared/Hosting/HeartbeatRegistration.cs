using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Vdi.Shared.Options;

namespace Vdi.Shared.Hosting;

public static class HeartbeatRegistration
{
    /// <summary>This process reports itself on the services page through <typeparamref name="TReporter"/>.</summary>
    public static IServiceCollection AddServiceHeartbeat<TReporter>(this IServiceCollection services, IConfiguration configuration)
        where TReporter : class, IServiceReporter
    {
        services.AddSection<HeartbeatOptions>(configuration, HeartbeatOptions.Section);
        services.TryAddSingleton<TReporter>();
        services.AddSingleton<IServiceReporter>(sp => sp.GetRequiredService<TReporter>());
        services.AddHostedService<ServiceHeartbeat>();
        return services;
    }
}
