using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Configuration.Json;
using Microsoft.Extensions.Hosting;

namespace Vdi.Shared.Hosting;

/// <summary>
/// What an installed broker process (the Debian package's units) needs beyond a developer's run: the site's
/// configuration folder and systemd's notify protocol and journal format.
/// </summary>
public static class ProductionHosting
{
    /// <summary>The environment variable naming the site's configuration folder (<c>/etc/vdi-broker</c> in the package).</summary>
    public const string ConfigDirectoryVariable = "VDI_CONFIG_DIR";

    /// <summary>
    /// Adds <c>appsettings.json</c> and <c>appsettings.{Environment}.json</c> of <c>$VDI_CONFIG_DIR</c> right after the
    /// application's own JSON files, so the site's files override the shipped defaults while environment variables
    /// (the unit's <c>EnvironmentFile</c> with the secrets) and the command line still override both.
    /// </summary>
    public static IConfigurationBuilder AddSiteConfiguration(this IConfigurationBuilder config, string environmentName)
    {
        var folder = Environment.GetEnvironmentVariable(ConfigDirectoryVariable);
        if (string.IsNullOrWhiteSpace(folder))
        {
            return config;
        }

        var index = 0;
        for (var i = 0; i < config.Sources.Count; i++)
        {
            if (config.Sources[i] is JsonConfigurationSource)
            {
                index = i + 1;
            }
        }

        foreach (var name in new[] { "appsettings.json", $"appsettings.{environmentName}.json" })
        {
            var source = new JsonConfigurationSource { Path = name, Optional = true, ReloadOnChange = false };
            source.FileProvider = new Microsoft.Extensions.FileProviders.PhysicalFileProvider(Path.GetFullPath(folder));
            config.Sources.Insert(index++, source);
        }

        return config;
    }

    /// <summary>The site's configuration and, under systemd, <c>Type=notify</c> readiness and journald's log format.</summary>
    public static WebApplicationBuilder UseProductionHosting(this WebApplicationBuilder builder)
    {
        builder.Configuration.AddSiteConfiguration(builder.Environment.EnvironmentName);
        builder.Host.UseSystemd();
        return builder;
    }
}
