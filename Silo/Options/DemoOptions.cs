namespace Vdi.Silo.Options;

/// <summary>
/// A ready-to-use demo (section <c>Demo</c>): an automated pool "demo" on the default controller and a user "demo"
/// entitled to it, created if missing. <c>scripts/run.sh</c> turns it on, so VeiL Connect can log in at once.
/// </summary>
public sealed class DemoOptions
{
    public const string Section = "Demo";

    public bool Enabled { get; set; }

    public string PoolName { get; set; } = "demo";

    public string Username { get; set; } = "demo";

    /// <summary>The demo user's password; never logged.</summary>
    public string Password { get; set; } = "";

    public int Vms { get; set; } = 3;
}
