using System.ComponentModel.DataAnnotations;

namespace Vdi.Grains.Interfaces.Configuration;

/// <summary>Redis holds the cluster membership table.</summary>
public sealed class RedisOptions
{
    public const string Section = "Redis";

    /// <summary>A StackExchange.Redis configuration string, e.g. <c>127.0.0.1:56379</c>.</summary>
    [Required(ErrorMessage = "Redis:ConnectionString is required (e.g. 127.0.0.1:56379)")]
    public string ConnectionString { get; set; } = "127.0.0.1:56379";
}
