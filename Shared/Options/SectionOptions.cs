using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Vdi.Shared.Options;

/// <summary>
/// The one way the broker binds a configuration section: bound strictly (a key in one of our sections that names no
/// setting is an error, so a typo is not silently ignored), validated by the class's data annotations, whose
/// messages name the setting, and checked at start, so a bad setting stops the process before it serves anything.
/// </summary>
public static class SectionOptions
{
    public static OptionsBuilder<T> AddSection<T>(this IServiceCollection services, IConfiguration? configuration, string section) where T : class
    {
        var builder = services.AddOptions<T>();
        if (configuration is not null)
        {
            builder.Bind(configuration.GetSection(section), o => o.ErrorOnUnknownConfiguration = true);
        }

        return builder.ValidateDataAnnotations().ValidateOnStart();
    }

    /// <summary>The section's values now, as strictly as <see cref="AddSection{T}"/> binds them (for settings needed while wiring the host).</summary>
    public static T Read<T>(IConfiguration configuration, string section) where T : class, new() =>
        configuration.GetSection(section).Get<T>(o => o.ErrorOnUnknownConfiguration = true) ?? new T();
}
