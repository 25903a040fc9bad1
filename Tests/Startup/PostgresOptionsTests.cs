using Vdi.Shared.Postgres;
using Npgsql;
using Vdi.Grains.Interfaces.Configuration;

namespace Vdi.Tests.Startup;

public sealed class PostgresOptionsTests
{
    [Fact]
    public void A_pool_is_tuned_unless_the_connection_string_says_otherwise()
    {
        var tuned = new NpgsqlConnectionStringBuilder(PostgresTuning.ForPool("Host=127.0.0.1;Minimum Pool Size=5;", 50));
        Assert.Equal((5, 50, true, 64, 2), (tuned.MinPoolSize, tuned.MaxPoolSize, tuned.NoResetOnClose, tuned.MaxAutoPrepare, tuned.AutoPrepareMinUsages));

        // the operator's own choices stand, whatever the spelling
        var own = new NpgsqlConnectionStringBuilder(PostgresTuning.ForPool("Host=127.0.0.1;maximum pool size=7;NoResetOnClose=false;MAX AUTO PREPARE=0", 50));
        Assert.Equal((7, false, 0), (own.MaxPoolSize, own.NoResetOnClose, own.MaxAutoPrepare));
    }
}
