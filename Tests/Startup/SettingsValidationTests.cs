using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Vdi.Grains.Hosting;
using Vdi.Tests.Fixtures;

namespace Vdi.Tests.Startup;

/// <summary>A bad setting stops the process at start with a message naming it; a misspelt key is not silently ignored.</summary>
public sealed class SettingsValidationTests
{
    private static void ValidateAtStart(params (string Key, string Value)[] settings)
    {
        var config = new ConfigurationBuilder().AddInMemoryCollection(ClusterFixture.FastSettings)
            .AddInMemoryCollection(TestServices.KeyEncryptionSettings)
            .AddInMemoryCollection(settings.Select(s => new KeyValuePair<string, string?>(s.Key, s.Value))).Build();
        using var services = new ServiceCollection().AddLogging().AddVdiGrainServices(TestServices.PostgresConnectionString, config).BuildServiceProvider();
        services.GetRequiredService<IStartupValidator>().Validate(); // what the host runs before it starts anything
    }

    [Fact]
    public void The_test_settings_pass() => ValidateAtStart();

    [Theory]
    [InlineData("Security:PasswordHashIterations", "5000", "Security:PasswordHashIterations must be 10,000")]
    [InlineData("ThinClients:PowerOnTimeout", "00:10:00", "ThinClients:PowerOnTimeout must be 1 s to 4 minutes")]
    [InlineData("Controllers:HealthCheckInterval", "00:00:00", "Controllers:HealthCheckInterval must be 100 ms to 1 hour")]
    [InlineData("Tasks:PrepareParallelism", "0", "Tasks:PrepareParallelism must be 1 to 100")]
    [InlineData("Security:PasswordHashing:Threads", "-1", "Security:PasswordHashing:Threads must be 0")]
    public void A_value_out_of_range_stops_the_start_naming_the_setting(string key, string value, string message)
    {
        var e = Assert.ThrowsAny<Exception>(() => ValidateAtStart((key, value)));
        Assert.Contains(message, Flatten(e));
    }

    [Theory]
    [InlineData("Controllers:HealthCheckIntervl", "HealthCheckIntervl")]
    [InlineData("ThinClients:DeadSesionTimeout", "DeadSesionTimeout")]
    [InlineData("Security:PasswordHashIteration", "PasswordHashIteration")]
    public void A_key_that_names_no_setting_stops_the_start(string key, string name)
    {
        var e = Assert.ThrowsAny<Exception>(() => ValidateAtStart((key, "1")));
        Assert.Contains(name, Flatten(e));
    }

    [Fact]
    public void The_hashing_cost_reaches_the_password_hasher()
    {
        var config = new ConfigurationBuilder().AddInMemoryCollection(TestServices.KeyEncryptionSettings)
            .AddInMemoryCollection([new("Security:PasswordHashIterations", "123456")]).Build();
        using var services = new ServiceCollection().AddLogging().AddVdiGrainServices(TestServices.PostgresConnectionString, config).BuildServiceProvider();
        Assert.Equal(123_456, services.GetRequiredService<IOptions<Microsoft.AspNetCore.Identity.PasswordHasherOptions>>().Value.IterationCount);
    }

    private static string Flatten(Exception e) => e is AggregateException a ? string.Join(" | ", a.InnerExceptions.Select(Flatten)) : e.Message + (e.InnerException is { } i ? " | " + Flatten(i) : "");
}
