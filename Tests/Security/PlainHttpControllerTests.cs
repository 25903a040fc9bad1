using Microsoft.Extensions.Options;
using Vdi.Grains.Controllers.Ecp;
using Vdi.Grains.Interfaces.Errors;

namespace Vdi.Tests.Security;

/// <summary>Issue 14 §4: an <c>http://</c> controller (its integration key in clear on the wire) only when a setting allows it.</summary>
public sealed class PlainHttpControllerTests
{
    private static EcpClientFactory Factory(bool allow) =>
        new(null!, Options.Create(new EcpClientOptions { AllowPlainHttp = allow }), TimeProvider.System, new ControllerTrustRegistry());

    private static ControllerAddress Address(string text) => ControllerAddress.TryParse(text, out var a, out _) ? a : throw new ArgumentException(text);

    [Fact]
    public void Plain_http_is_refused_by_default_and_https_always_passes()
    {
        var refused = Assert.Throws<BrokerException>(() => Factory(allow: false).RequireAllowed(Address("http://10.0.0.5:8100")));
        Assert.Equal((ErrorKind.Invalid, "address"), (refused.Kind, refused.Field));
        Assert.Contains("Ecp:AllowPlainHttp", refused.Message);

        Assert.Equal("10.0.0.5", Factory(allow: false).RequireAllowed(Address("10.0.0.5")).ToString()); // https by default
        Assert.Equal("http://10.0.0.5:8100", Factory(allow: true).RequireAllowed(Address("http://10.0.0.5:8100")).ToString());
    }
}
