namespace Vdi.Tests.Fixtures;

/// <summary>
/// The real Postgres and Redis the tests run against, as exported by scripts/test.sh. A missing service is a
/// failure with a message that says how to provide it, never a skipped test.
/// </summary>
public static class TestServices
{
    public static string PostgresConnectionString => Required("Postgres__ConnectionString");

    /// <summary>
    /// The test database as its superuser, for the tests' own reads, DDL and fault injection (triggers): the broker's
    /// processes connect as the least-privileged <c>vdi_broker</c> (<see cref="PostgresConnectionString"/>).
    /// </summary>
    public static string PostgresAdminConnectionString => Required("PostgresAdmin__ConnectionString");

    public static string RedisConnectionString => Required("Redis__ConnectionString");

    /// <summary>The fault tests' own Postgres (scripts/fault-pg.sh), which they stop and start for real.</summary>
    public static string FaultPostgresConnectionString => Required("FaultPostgres__ConnectionString");

    /// <summary>The script that stops and starts it.</summary>
    public static string FaultPostgresScript => Required("VDI_FAULT_PG_SCRIPT");

    /// <summary>The key-encryption certificate settings scripts/test.sh creates, as configuration entries.</summary>
    public static IEnumerable<KeyValuePair<string, string?>> KeyEncryptionSettings =>
    [
        new("DataProtection:CertificatePath", Required("DataProtection__CertificatePath")),
        new("DataProtection:CertificatePassword", Required("DataProtection__CertificatePassword")),
    ];

    /// <summary>The cluster's mutual TLS certificates made by scripts/test.sh (<c>ClusterTls:*</c>).</summary>
    public static IEnumerable<KeyValuePair<string, string?>> ClusterTlsSettings =>
    [
        new("ClusterTls:CertificatePath", Required("ClusterTls__CertificatePath")),
        new("ClusterTls:CertificatePassword", Required("ClusterTls__CertificatePassword")),
        new("ClusterTls:CaPath", Required("ClusterTls__CaPath")),
    ];

    /// <summary>The test directory (a private slapd started by scripts/test.sh, <c>scripts/lib/ldap.sh</c>).</summary>
    public static (string Url, string SecureUrl, string BaseDn, string ServiceDn, string ServicePassword, string UserPassword, string CaDirectory) Ldap =>
        (Required("Ldap__Url"), Required("Ldap__SecureUrl"), Required("Ldap__BaseDn"), Required("Ldap__ServiceDn"), Required("Ldap__ServicePassword"),
            Required("Ldap__UserPassword"), Required("Ldap__CaDirectory"));

    /// <summary>The test slapd's administrator (the group sync tests change the tree).</summary>
    public static (string Dn, string Password) LdapAdmin => (Required("Ldap__AdminDn"), Required("Ldap__AdminPassword"));

    /// <summary>The test Active Directory (a Samba AD DC provisioned by scripts/test.sh, <c>scripts/lib/samba.sh</c>).</summary>
    public static (string Url, string BaseDn, string ServiceDn, string ServicePassword, string UserPassword, string Realm, string Domain, string Keytab, string ComputersOu) Ad =>
        (Required("Ad__Url"), Required("Ad__BaseDn"), Required("Ad__ServiceDn"), Required("Ad__ServicePassword"), Required("Ad__UserPassword"),
            Required("Ad__Realm"), Required("Ad__Domain"), Required("Ad__Keytab"), Required("Ad__ComputersOu"));

    private static string Required(string name) =>
        Environment.GetEnvironmentVariable(name) is { Length: > 0 } value
            ? value
            : throw new InvalidOperationException(
                $"{name} is not set: run the tests through scripts/test.sh, which starts Postgres and Redis and exports it.");
}
