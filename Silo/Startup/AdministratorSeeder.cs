using Microsoft.Extensions.Options;
using Vdi.Grains.Interfaces.Errors;
using Vdi.Grains.Interfaces.Users;
using Vdi.Silo.Options;

namespace Vdi.Silo.Startup;

/// <summary>
/// Creates the initial administrator once. Runs after the silo has started (it is registered after Orleans);
/// several silos starting together are safe because the username grain admits one creation.
/// </summary>
public sealed partial class AdministratorSeeder(
    IGrainFactory grains,
    IOptions<AdminOptions> options,
    ILogger<AdministratorSeeder> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var admin = options.Value;
        var index = grains.ForName(admin.Username);
        var id = await index.FindUserIdAsync();
        if (id is { } existing && await grains.GetGrain<IUserGrain>(existing).GetAsync() is not null)
        {
            LogExists(admin.Username);
            return;
        }

        if (string.IsNullOrEmpty(admin.Password))
        {
            throw new InvalidOperationException($"Admin:Password is needed to create the initial administrator '{admin.Username}'.");
        }

        try
        {
            var user = await index.CreateUserAsync(new NewUser(admin.Username, admin.Password, IsSuperuser: true,
                Roles: [Role.Administrator, Role.SecurityAdministrator, Role.Operator], Creator: "system"));
            LogCreated(user.Username, user.Id);
        }
        catch (BrokerException e) when (e.Kind == ErrorKind.Conflict)
        {
            LogExists(admin.Username); // another silo created it a moment ago
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(EventId = 1001, Level = LogLevel.Information, Message = "Initial administrator {Username} created with id {UserId}")]
    private partial void LogCreated(string username, Guid userId);

    [LoggerMessage(EventId = 1002, Level = LogLevel.Debug, Message = "Initial administrator {Username} already exists")]
    private partial void LogExists(string username);
}
