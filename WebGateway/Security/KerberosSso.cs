using System.Net;
using System.Net.Security;
using System.Runtime.InteropServices;
using System.Security.Authentication.ExtendedProtection;
using Microsoft.Extensions.Options;

namespace Vdi.WebGateway.Security;

/// <summary>Kerberos single sign-on at <c>GET /api/sso/</c> (section <c>Sso</c>; the original's Apache + mod_auth_gssapi, in the gateway).</summary>
public sealed class SsoOptions
{
    public const string Section = "Sso";

    public bool Enabled { get; set; }

    /// <summary>The keytab with the gateway's service principal (<c>HTTP/host@REALM</c>), readable by the gateway only.</summary>
    public string KeytabPath { get; set; } = "";

    /// <summary>The only realm whose principals are accepted (a trust could present others' namesakes); required with <see cref="Enabled"/>.</summary>
    public string Realm { get; set; } = "";

    /// <summary>The most bytes of a <c>Negotiate</c> header accepted (a Kerberos ticket with a large PAC is a few KB).</summary>
    public int MaxTokenBytes { get; set; } = 64 * 1024;
}

/// <summary>
/// The server side of SPNEGO/Kerberos through .NET's <see cref="NegotiateAuthentication"/> (GSSAPI on Linux). The
/// keytab is handed to GSSAPI by <c>KRB5_KTNAME</c>, set in the process' native environment at start (a managed
/// <see cref="Environment.SetEnvironmentVariable(string, string)"/> is not seen by native code on Linux).
/// </summary>
public sealed class KerberosSso
{
    private readonly SsoOptions _options;

    public KerberosSso(IOptions<SsoOptions> options)
    {
        _options = options.Value;
        if (!_options.Enabled)
        {
            return;
        }

        if (_options.KeytabPath.Length == 0 || !File.Exists(_options.KeytabPath))
        {
            throw new InvalidOperationException($"Sso:KeytabPath: the keytab {_options.KeytabPath} does not exist (Sso:Enabled is true)");
        }

        if (_options.Realm.Length == 0)
        {
            // any realm the KDC trusts would do otherwise: PARTNER's carl@PARTNER.EXAMPLE would be taken for the local carl
            throw new InvalidOperationException("Sso:Realm: the realm whose principals may sign on is required (Sso:Enabled is true)");
        }

        if (!OperatingSystem.IsWindows())
        {
            _ = SetEnv("KRB5_KTNAME", "FILE:" + Path.GetFullPath(_options.KeytabPath), 1);
        }
    }

    public bool Enabled => _options.Enabled;

    /// <summary>What one <c>Negotiate</c> token came to: the client's principal, the reply token for mutual authentication, or why not.</summary>
    public sealed record Outcome(string? Principal, string? ReplyToken, string? Error);

    public Outcome Accept(string header)
    {
        const string scheme = "Negotiate ";
        if (!header.StartsWith(scheme, StringComparison.OrdinalIgnoreCase))
        {
            return new Outcome(null, null, "no Negotiate token");
        }

        var text = header[scheme.Length..].Trim();
        if (text.Length == 0 || text.Length > _options.MaxTokenBytes * 4 / 3 + 4)
        {
            return new Outcome(null, null, "the Negotiate token is empty or too large");
        }

        byte[] token;
        try
        {
            token = Convert.FromBase64String(text);
        }
        catch (FormatException)
        {
            return new Outcome(null, null, "the Negotiate token is not base64");
        }

        // one round: Kerberos needs no more (NTLM, which would, is not offered)
        using var server = new NegotiateAuthentication(new NegotiateAuthenticationServerOptions
        {
            Package = "Negotiate",
            Policy = new ExtendedProtectionPolicy(PolicyEnforcement.Never),
        });
        var reply = server.GetOutgoingBlob(token, out var status);
        if (status != NegotiateAuthenticationStatusCode.Completed || !server.IsAuthenticated)
        {
            return new Outcome(null, null, status == NegotiateAuthenticationStatusCode.ContinueNeeded
                ? "only Kerberos is accepted (the client offered a mechanism needing more rounds, such as NTLM)"
                : $"the ticket was refused ({status})");
        }

        if (!string.Equals(server.Package, "Kerberos", StringComparison.OrdinalIgnoreCase))
        {
            return new Outcome(null, null, $"only Kerberos is accepted, not {server.Package}");
        }

        var principal = server.RemoteIdentity.Name ?? "";
        var at = principal.LastIndexOf('@');
        if (at <= 0)
        {
            return new Outcome(null, null, "the ticket names no realm");
        }

        if (!string.Equals(principal[(at + 1)..], _options.Realm, StringComparison.OrdinalIgnoreCase))
        {
            return new Outcome(null, null, $"the realm {principal[(at + 1)..]} is not this broker's ({_options.Realm})");
        }

        return new Outcome(principal, reply is { Length: > 0 } ? Convert.ToBase64String(reply) : null, null);
    }

    [DllImport("libc", EntryPoint = "setenv", CharSet = CharSet.Ansi, BestFitMapping = false, ThrowOnUnmappableChar = true)]
    private static extern int SetEnv(string name, string value, int overwrite);
}
