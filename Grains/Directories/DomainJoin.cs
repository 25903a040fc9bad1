namespace Vdi.Grains.Directories;

/// <summary>
/// What the controller needs to join a VM to Active Directory during its preparation (the original's <c>set_ad</c> of
/// <c>vdi-prepare</c>): the domain's DNS name, the service account and its password (in clear only in memory and in
/// the one call to the controller), and the OU the computer goes into (null: the domain's default, CN=Computers).
/// </summary>
[GenerateSerializer, Immutable, Alias("DomainJoin")]
public sealed record DomainJoin(
    [property: Id(0)] string DomainName,
    [property: Id(1)] string Login,
    [property: Id(2)] string Password,
    [property: Id(3)] string? OuPath)
{
    /// <summary>Never the password: a record printed in a log or an exception shows only where the VM joins.</summary>
    public override string ToString() => $"DomainJoin {{ DomainName = {DomainName}, Login = {Login}, OuPath = {OuPath} }}";

    /// <summary>
    /// From a directory's connection and a pool's <c>ad_ou</c>: the DNS name from the base DN's DC parts, the account
    /// name of the service DN (its CN; a UPN or DOMAIN\user as it is), and the OU completed with the domain's DC parts
    /// when it has none (the original joined <c>ad_ou</c> and the domain's <c>dc=</c> parts).
    /// </summary>
    public static DomainJoin For(DirectoryConnection directory, string adOu)
    {
        var dcs = DcParts(directory.BaseDn);
        var login = directory.ServiceDn.StartsWith("CN=", StringComparison.OrdinalIgnoreCase) && !directory.ServiceDn.Contains('@')
            ? directory.ServiceDn[3..].Split(',')[0]
            : directory.ServiceDn;
        var ou = adOu.Trim();
        string? path = ou.Length == 0 ? null
            : DcParts(ou).Count > 0 ? ou
            : $"{ou},{string.Join(",", dcs.Select(d => $"DC={d}"))}";
        return new DomainJoin(string.Join(".", dcs), login, directory.ServicePassword, path);
    }

    private static List<string> DcParts(string dn) =>
        [.. dn.Split(',').Select(p => p.Trim()).Where(p => p.StartsWith("DC=", StringComparison.OrdinalIgnoreCase)).Select(p => p[3..])];
}
