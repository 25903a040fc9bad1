using Npgsql;
using Vdi.Grains.Interfaces.Directories;

namespace Vdi.WebGateway.Security;

/// <summary>
/// The trusted domains of the directory logins go to (the first enabled), read at most every 5 s: a directory login
/// typed <c>PARTNER\user</c> is the broker user <c>user@partner.example</c>, never the local domain's <c>user</c>.
/// A database or cluster hiccup answers what was known.
/// </summary>
public sealed class TrustedDomainNames(NpgsqlDataSource db, IClusterClient cluster, TimeProvider time)
{
    private static readonly TimeSpan Fresh = TimeSpan.FromSeconds(5);
    private IReadOnlyList<TrustedDomain> _known = [];
    private DateTimeOffset _read = DateTimeOffset.MinValue;

    public async Task<string> BrokerNameAsync(string typed)
    {
        // only a name with a domain part can name a trusted domain: the common case asks nothing
        if (DirectoryNames.Split(typed).Domain is null)
        {
            return DirectoryNames.Split(typed).Account;
        }

        return DirectoryNames.BrokerName(typed, await TrustedAsync());
    }

    private async Task<IReadOnlyList<TrustedDomain>> TrustedAsync()
    {
        if (time.GetUtcNow() - _read < Fresh)
        {
            return _known;
        }

        try
        {
            await using var cmd = db.CreateCommand("select id from vdi_directories where enabled order by created, id limit 1");
            var trusted = await cmd.ExecuteScalarAsync() is Guid id && await cluster.GetGrain<IDirectoryGrain>(id).GetAsync() is { } view
                ? view.TrustedDomains ?? []
                : [];
            (_known, _read) = (trusted, time.GetUtcNow());
        }
        catch (Exception e) when (e is NpgsqlException or OrleansException or TimeoutException)
        {
            // what was known: the login itself then meets the outage and answers it
        }

        return _known;
    }
}
