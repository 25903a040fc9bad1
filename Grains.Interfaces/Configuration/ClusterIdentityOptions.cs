using System.ComponentModel.DataAnnotations;

namespace Vdi.Grains.Interfaces.Configuration;

/// <summary>Which cluster this process belongs to. Every silo and gateway of one broker uses the same values.</summary>
public sealed class ClusterIdentityOptions
{
    public const string Section = "Cluster";

    /// <summary>Separates deployments sharing one Redis (membership key <c>{ServiceId}/members/{ClusterId}</c>).</summary>
    [Required, RegularExpression("^[A-Za-z0-9._-]{1,64}$", ErrorMessage = "Cluster:ClusterId must be 1-64 letters, digits, '.', '_' or '-'")]
    public string ClusterId { get; set; } = "vdi";

    /// <summary>Separates grain state and reminders in Postgres; never change it on a live deployment.</summary>
    [Required, RegularExpression("^[A-Za-z0-9._-]{1,64}$", ErrorMessage = "Cluster:ServiceId must be 1-64 letters, digits, '.', '_' or '-'")]
    public string ServiceId { get; set; } = "vdi-broker";
}
