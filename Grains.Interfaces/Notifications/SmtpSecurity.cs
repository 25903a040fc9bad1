namespace Vdi.Grains.Interfaces.Notifications;

/// <summary>How the SMTP connection is protected (the original's TLS / SSL flags).</summary>
public enum SmtpSecurity
{
    None = 0,
    StartTls = 1,
    Tls = 2,
}
