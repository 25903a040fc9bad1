namespace Vdi.Grains.Interfaces.Directories;

/// <summary>How a directory user's typed name becomes the broker's username.</summary>
public static class DirectoryNames
{
    /// <summary>
    /// The account name of what a user typed: <c>user</c>, <c>DOMAIN\user</c> or <c>user@domain</c>, and the domain
    /// part when one was given.
    /// </summary>
    public static (string Account, string? Domain) Split(string typed)
    {
        var name = typed.Trim();
        var slash = name.IndexOf('\\', StringComparison.Ordinal);
        if (slash > 0)
        {
            return (name[(slash + 1)..], name[..slash]);
        }

        var at = name.LastIndexOf('@');
        return at > 0 ? (name[..at], name[(at + 1)..]) : (name, null);
    }

    /// <summary>The trusted domain a typed name names (by NetBIOS or DNS name), if any.</summary>
    public static TrustedDomain? TrustedOf(string typed, IReadOnlyList<TrustedDomain>? trusted) =>
        Split(typed).Domain is { Length: > 0 } domain && trusted is { Count: > 0 }
            ? trusted.FirstOrDefault(t => string.Equals(t.Name, domain, StringComparison.OrdinalIgnoreCase)
                || string.Equals(t.DnsName, domain, StringComparison.OrdinalIgnoreCase))
            : null;

    /// <summary>
    /// The broker's username for what was typed: the account name for the directory's own domain, and
    /// <c>account@dns-name</c> for a trusted domain's user, so that <c>PARTNER\carl</c> is never the local domain's carl.
    /// </summary>
    public static string BrokerName(string typed, IReadOnlyList<TrustedDomain>? trusted)
    {
        var account = Split(typed).Account;
        return TrustedOf(typed, trusted) is { } domain ? Qualified(account, domain) : account;
    }

    public static string Qualified(string account, TrustedDomain domain) => $"{account}@{domain.DnsName.ToLowerInvariant()}";
}

/// <summary>
/// A domain the directory trusts (the original's trusted domains, since 3.1.3): its users type <c>NAME\user</c> or
/// <c>user@dns-name</c>, are found under <see cref="BaseDn"/> by the directory's service account (the trust lets it
/// read there), optionally on servers of their own, and are broker users named <c>user@dns-name</c>.
/// </summary>
[GenerateSerializer, Immutable, Alias("TrustedDomain")]
public sealed record TrustedDomain(
    [property: Id(0)] string Name,
    [property: Id(1)] string DnsName,
    [property: Id(2)] string BaseDn,
    [property: Id(3)] IReadOnlyList<string>? Servers = null);
