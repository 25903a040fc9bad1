using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Vdi.Grains.Hosting;

namespace Vdi.Tests.Security;

/// <summary>Issue 17 / security.md 67: a client's text never becomes a metric label (each value would be a series of its own).</summary>
public sealed class MetricLabelTests
{
    [Fact]
    public void An_invented_protocol_name_is_counted_as_other_and_a_known_one_by_its_name()
    {
        using var services = new ServiceCollection().AddMetrics().BuildServiceProvider();
        var factory = services.GetRequiredService<IMeterFactory>();
        var metrics = new BrokerMetrics(factory);
        var seen = new List<(string? Protocol, string? Result)>();
        using var listener = new MeterListener
        {
            InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Name == "vdi.vm_connections" && ReferenceEquals(instrument.Meter.Scope, factory)) // this test's meter, not a silo's
                {
                    l.EnableMeasurementEvents(instrument);
                }
            },
        };
        listener.SetMeasurementEventCallback<long>((_, _, tags, _) =>
        {
            var d = tags.ToArray().ToDictionary(t => t.Key, t => t.Value as string);
            seen.Add((d.GetValueOrDefault("protocol"), d.GetValueOrDefault("result")));
        });
        listener.Start();

        metrics.VmConnection($"EVIL-{Guid.NewGuid():N}", successful: true);
        metrics.VmConnection("spice", successful: true);
        metrics.VmConnection(null, successful: false);

        Assert.Equal([("other", "connected"), ("SPICE", "connected"), ("other", "error")], seen);
    }
}
