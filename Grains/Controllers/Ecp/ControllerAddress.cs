namespace Vdi.Grains.Controllers.Ecp;

/// <summary>
/// A controller's address as an administrator types it: a host or IP (HTTPS, as ECP serves), optionally with a
/// port, or a full <c>http(s)://host:port</c> URL (the simulator speaks plain HTTP).
/// </summary>
public sealed record ControllerAddress(Uri Root)
{
    public const int MaxLength = 255;

    public Uri Api => new(Root, "api/");

    public Uri EventStream(string token) =>
        new($"{(Root.Scheme == Uri.UriSchemeHttps ? "wss" : "ws")}://{Root.Authority}/ws/?token={Uri.EscapeDataString(token)}");

    public static bool TryParse(string? text, out ControllerAddress address, out string error)
    {
        address = null!;
        var trimmed = (text ?? "").Trim();
        if (trimmed.Length == 0 || trimmed.Length > MaxLength)
        {
            error = $"address must be 1 to {MaxLength} characters";
            return false;
        }

        var withScheme = trimmed.Contains("://", StringComparison.Ordinal) ? trimmed : $"https://{trimmed}";
        if (!Uri.TryCreate(withScheme, UriKind.Absolute, out var uri)
            || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps)
            || string.IsNullOrEmpty(uri.Host)
            || uri.AbsolutePath is not ("/" or "")
            || !string.IsNullOrEmpty(uri.Query)
            || !string.IsNullOrEmpty(uri.UserInfo))
        {
            error = "address must be a host name or IP address, optionally with a port, or an http(s)://host:port URL";
            return false;
        }

        address = new ControllerAddress(new Uri($"{uri.Scheme}://{uri.Authority}/"));
        error = "";
        return true;
    }

    /// <summary>The normalised form stored and shown: host[:port] for HTTPS, the URL otherwise.</summary>
    public override string ToString() => Root.Scheme == Uri.UriSchemeHttps ? Root.Authority : Root.GetLeftPart(UriPartial.Authority);
}
