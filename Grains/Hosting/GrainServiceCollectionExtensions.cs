using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Npgsql;
using Vdi.Grains.Controllers;
using Vdi.Grains.Controllers.Ecp;
using Vdi.Grains.Journal;
using Vdi.Grains.Live;
using Vdi.Grains.Pools;
using Vdi.Grains.Security;
using Vdi.Grains.Tasks;
using Vdi.Grains.Tasks.Runners;
using Vdi.Grains.ThinClients;
using Vdi.Grains.Users;
using Vdi.Grains.Vms;
using Vdi.Shared.Options;
using Vdi.Shared.Settings;

namespace Vdi.Grains.Hosting;

public static class GrainServiceCollectionExtensions
{
    /// <summary>Everything the grains depend on: Postgres, Data Protection, the controller client, the tables.</summary>
    public static IServiceCollection AddVdiGrainServices(this IServiceCollection services, string postgresConnectionString,
        IConfiguration? configuration = null)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(sp => new SecurityClock(sp.GetRequiredService<TimeProvider>()));
        services.TryAddSingleton(_ => NpgsqlDataSource.Create(postgresConnectionString));

        var dataProtection = services.AddDataProtection().SetApplicationName("vdi-broker");
        if (KeyEncryptionCertificate.Load(configuration) is { } certificate)
        {
            // keys at rest in Postgres are encrypted with a certificate kept outside the database
            dataProtection.ProtectKeysWithCertificate(certificate).UnprotectKeysWithAnyCertificate(certificate);
        }

        services.AddOptions<Microsoft.AspNetCore.DataProtection.KeyManagement.KeyManagementOptions>()
            .Configure<NpgsqlDataSource>((o, db) => o.XmlRepository = new PostgresXmlRepository(db));
        services.TryAddSingleton<SecretProtector>();
        services.TryAddSingleton<SettingsCache>();
        services.TryAddSingleton<ThinClients.SessionSweeperStart>();

        // PBKDF2-HMAC-SHA512; Security:PasswordHashIterations trades login CPU (the 9:00 storm) against brute-force cost
        services.AddSection<SecurityOptions>(configuration, SecurityOptions.Section);
        services.AddOptions<PasswordHasherOptions>().Configure<IOptions<SecurityOptions>>((o, security) =>
        {
            if (security.Value.PasswordHashIterations is { } iterations)
            {
                o.IterationCount = iterations;
            }
        });
        services.TryAddSingleton<IPasswordHasher<UserState>, PasswordHasher<UserState>>();
        services.AddMetrics();
        services.TryAddSingleton<PasswordHashing>();

        services.AddSection<EcpClientOptions>(configuration, EcpClientOptions.Section);
        services.AddSection<PasswordHashingOptions>(configuration, PasswordHashingOptions.Section);
        services.AddSection<Notifications.NotificationOptions>(configuration, Notifications.NotificationOptions.Section);
        services.AddSection<Retention.RetentionOptions>(configuration, Retention.RetentionOptions.Section);
        services.AddSection<Security.LockoutOptions>(configuration, Security.LockoutOptions.Section);
        services.AddSection<Security.SigningKeyOptions>(configuration, Security.SigningKeyOptions.Section);
        services.AddSection<ControllerMonitorOptions>(configuration, ControllerMonitorOptions.Section);
        services.AddSection<TaskOptions>(configuration, TaskOptions.Section);
        services.AddSection<ThinClientOptions>(configuration, ThinClientOptions.Section);
        EcpClientFactory.Register(services);
        services.TryAddSingleton<EcpClientFactory>();
        services.TryAddSingleton<ControllerSessions>();
        services.TryAddSingleton<ControllerCascade>();
        services.TryAddSingleton<KeepOnReconciler>();
        services.TryAddSingleton<ReminderPeriods>();
        services.TryAddEnumerable(
        [
            ServiceDescriptor.Singleton<ITaskRunner, PoolCreateRunner>(),
            ServiceDescriptor.Singleton<ITaskRunner, PoolExpandRunner>(),
            ServiceDescriptor.Singleton<ITaskRunner, PoolDecreaseRunner>(),
            ServiceDescriptor.Singleton<ITaskRunner, PoolDeleteRunner>(),
            ServiceDescriptor.Singleton<ITaskRunner, VmPrepareRunner>(),
            ServiceDescriptor.Singleton<ITaskRunner, PoolPrepareRunner>(),
            ServiceDescriptor.Singleton<ITaskRunner, VmsRemoveRunner>(),
            ServiceDescriptor.Singleton<ITaskRunner, GuestRecreationRunner>(),
            ServiceDescriptor.Singleton<ITaskRunner, TemplateChangeRunner>(),
            ServiceDescriptor.Singleton<ITaskRunner, DirectoryGroupSyncRunner>(),
            ServiceDescriptor.Singleton<ITaskRunner, DirectoryUserSyncRunner>(),
        ]);

        services.TryAddSingleton<UserTable>();
        services.TryAddSingleton<ControllerTable>();
        services.TryAddSingleton<VmTable>();
        services.TryAddSingleton<PoolTable>();
        services.TryAddSingleton<TaskTable>();
        services.TryAddSingleton<SessionTable>();
        services.TryAddSingleton<JournalWriter>();
        services.TryAddSingleton<Notifications.NotificationDispatcher>();
        services.TryAddSingleton<Vdi.Shared.Statistics.StatisticsRollup>();
        services.TryAddSingleton<Retention.RetentionJob>();
        services.AddHttpClient(Notifications.NotificationDispatcher.HttpClientName);
        services.TryAddSingleton<BrokerMetrics>();
        services.TryAddSingleton<Directories.LdapDirectoryClient>();
        services.TryAddSingleton<Directories.DirectoryTable>();
        services.TryAddSingleton<Directories.DomainMembership>();
        services.AddSection<Directories.DirectoryOptions>(configuration, Directories.DirectoryOptions.Section);
        services.TryAddSingleton<LiveEventPublisher>();
        return services;
    }
}
