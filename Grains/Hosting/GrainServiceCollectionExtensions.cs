using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Npgsql;
using Vdi.Grains.Journal;
using Vdi.Grains.Users;

namespace Vdi.Grains.Hosting;

public static class GrainServiceCollectionExtensions
{
    /// <summary>The services the grains depend on: the Postgres data source, the password hasher, the tables.</summary>
    public static IServiceCollection AddVdiGrainServices(this IServiceCollection services, string postgresConnectionString)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(_ => NpgsqlDataSource.Create(postgresConnectionString));
        services.AddOptions<PasswordHasherOptions>();
        services.TryAddSingleton<IPasswordHasher<UserState>, PasswordHasher<UserState>>();
        services.TryAddSingleton<UserTable>();
        services.TryAddSingleton<JournalWriter>();
        return services;
    }
}
