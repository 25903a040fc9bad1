using Vdi.Grains.Hosting;

namespace Vdi.Tests.Security;

/// <summary>Issue 17 / security.md 67: a client's text never becomes a metric label (each value would be a series of its own).</summary>
public sealed class MetricLabelTests
{
    [Fact]
    public void An_invented_protocol_name_is_counted_as_other_and_a_known_one_by_its_name()
    {
        // the broker's instruments belong to the process (every silo host of this test process counts into them), so
        // the label is checked where it is made
        Assert.Equal("other", BrokerMetrics.ProtocolLabel($"EVIL-{Guid.NewGuid():N}"));
        Assert.Equal("SPICE", BrokerMetrics.ProtocolLabel("spice"));
        Assert.Equal("NATIVE_RDP", BrokerMetrics.ProtocolLabel("native_rdp"));
        Assert.Equal("other", BrokerMetrics.ProtocolLabel(null));
        Assert.Equal("other", BrokerMetrics.ProtocolLabel(""));
    }
}
