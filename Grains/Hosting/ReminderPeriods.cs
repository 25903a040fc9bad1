using Microsoft.Extensions.Options;
using Orleans.Hosting;

namespace Vdi.Grains.Hosting;

/// <summary>Keeps configured reminder periods at or above Orleans' minimum, so a setting can never make a grain fail.</summary>
public sealed class ReminderPeriods(IOptions<ReminderOptions> options)
{
    public TimeSpan AtLeastMinimum(TimeSpan wanted) =>
        wanted < options.Value.MinimumReminderPeriod ? options.Value.MinimumReminderPeriod : wanted;
}
