using Vdi.Grains.Directories;
using Vdi.Grains.Interfaces.Errors;
using Vdi.Grains.Interfaces.Directories;
using Vdi.Grains.Interfaces.Groups;
using Vdi.Grains.Interfaces.Tasks;
using Vdi.Grains.Interfaces.Users;
using Vdi.Grains.Users;

namespace Vdi.Grains.Tasks.Runners;

/// <summary>
/// AD_SYNCHRONIZE_GROUP (the original's): the members of a directory group become the directory's members of a broker
/// group. Users the broker does not know are created (no local password; their source is the directory); members of
/// the broker group who come from this directory and are no longer in the directory group are taken out (a renamed
/// account is its new name's member, its old name's no more). A local user who happens to bear a member's name is
/// never touched: a directory does not speak for an account it does not own. Each step is safe to repeat.
/// </summary>
public sealed class DirectoryGroupSyncRunner(UserTable users) : DirectorySyncRunner(users)
{
    public override BrokerTaskType Type => BrokerTaskType.AdSynchronizeGroup;
}

/// <summary>LDAP_SYNCHRONIZE_USERS: every enabled user of the directory becomes a broker user (the original's OpenLDAP sync).</summary>
public sealed class DirectoryUserSyncRunner(UserTable users) : DirectorySyncRunner(users)
{
    public override BrokerTaskType Type => BrokerTaskType.LdapSynchronizeUsers;
}

public abstract class DirectorySyncRunner(UserTable users) : ITaskRunner
{
    private const int ReportEvery = 25;

    public abstract BrokerTaskType Type { get; }

    public async Task<string> RunAsync(TaskContext ctx)
    {
        var request = ctx.Request;
        var directoryId = request.EntityId;
        var directory = ctx.Grains.GetGrain<IDirectoryInternalGrain>(directoryId);
        var groupName = Type == BrokerTaskType.AdSynchronizeGroup
            ? request.DirectoryGroup ?? throw new BrokerException(ErrorKind.Invalid, "AD_SYNCHRONIZE_GROUP needs the directory group", "directory_group")
            : null;
        IGroupGrain? group = null;
        if (Type == BrokerTaskType.AdSynchronizeGroup)
        {
            var groupId = request.GroupId ?? throw new BrokerException(ErrorKind.Invalid, "AD_SYNCHRONIZE_GROUP needs the broker group", "group_id");
            // one sync of a broker group at a time: a scheduled re-sync waits for a slow one instead of racing it
            await ctx.AcquireAsync($"group-sync/{groupId}");
            group = ctx.Grains.GetGrain<IGroupGrain>(groupId);
            if (await group.GetAsync() is null)
            {
                throw new TaskFailedException($"the broker group {request.GroupId} no longer exists");
            }
        }

        await ctx.ReportAsync(1, groupName is null ? "Reading the directory's users." : $"Reading the members of {groupName}.");
        var found = await directory.MembersAsync(groupName, ctx.Cancellation);
        if (found.Outcome != DirectoryOutcome.Ok)
        {
            throw new TaskFailedException($"the directory could not list them: {found.Detail}");
        }

        var members = new List<Guid>();
        int created = 0, skipped = 0, done = 0;
        foreach (var member in found.Members)
        {
            ctx.Cancellation.ThrowIfCancellationRequested();
            var names = ctx.Grains.ForName(member.Account);
            var id = await names.FindUserIdAsync();
            UserView? user = id is { } known ? await ctx.Grains.GetGrain<IUserGrain>(known).GetAsync() : null;
            if (user is null)
            {
                try
                {
                    user = await names.CreateUserAsync(UserGrain.DirectoryUser(member.Account, member.FirstName, member.LastName, member.Email, directoryId,
                        ctx.Request.Creator));
                    created++;
                }
                catch (BrokerException e) when (e.Kind == ErrorKind.Conflict)
                {
                    user = await names.FindUserIdAsync() is { } raced ? await ctx.Grains.GetGrain<IUserGrain>(raced).GetAsync() : null;
                }
            }

            if (user is null || user.Source != "DIRECTORY")
            {
                skipped++; // a local account of the same name: not the directory's to speak for
            }
            else
            {
                members.Add(user.Id);
            }

            if (++done % ReportEvery == 0)
            {
                await ctx.ReportAsync(5 + (int)(85.0 * done / Math.Max(1, found.Members.Count)), $"{done} of {found.Members.Count} directory users read.");
            }
        }

        var summary = $"{found.Members.Count} directory users, {created} new broker users";
        if (group is not null)
        {
            await ctx.ReportAsync(92, "Updating the broker group's members.");
            var before = (await group.GetAsync())?.Members ?? [];
            var added = members.Except(before).ToList();
            if (added.Count > 0)
            {
                await group.AddMembersAsync(added, ctx.Request.Creator);
            }

            // out: this directory's users no longer in the directory group (manually added local users stay)
            var gone = (await users.OfDirectoryAsync(directoryId, [.. before.Except(members)])).ToList();
            if (gone.Count > 0)
            {
                await group.RemoveMembersAsync(gone, ctx.Request.Creator);
            }

            summary += $", {added.Count} added to the group, {gone.Count} taken out";
        }

        return skipped > 0 ? $"{summary}; {skipped} skipped (a local user of the same name)." : $"{summary}.";
    }

    public Task OnStoppedAsync(TaskContext context, BrokerTaskStatus status, string message) => Task.CompletedTask;
}
