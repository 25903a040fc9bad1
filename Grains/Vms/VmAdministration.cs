using Vdi.Grains.Interfaces.Errors;
using Vdi.Grains.Interfaces.Journal;
using Vdi.Grains.Interfaces.Pools;
using Vdi.Grains.Interfaces.Vms;
using Vdi.Grains.Journal;
using Vdi.Grains.Pools;

namespace Vdi.Grains.Vms;

/// <summary>
/// An administrator's work on one VM through its controller (issue 18): its console, the guest utilities' ISO, a
/// template made of it, its backups and their restore. Each is journalled with who did it; the VM's own state is
/// not changed here (a restored VM is a new one of the same pool).
/// </summary>
public sealed class VmAdministration(Guid id, VmState vm, VmControllerCalls controller, JournalWriter journal, IGrainFactory grains, TimeSpan wait)
{
    private static readonly TimeSpan LongWait = TimeSpan.FromMinutes(25);

    public async Task<string> ConsoleUrlAsync(string by)
    {
        var url = await controller.ConsoleUrlAsync(wait);
        await JournalAsync($"VM {vm.VerboseName}: console opened by {by}.", "", by);
        return url;
    }

    public async Task AttachGuestUtilsAsync(string by)
    {
        await controller.AttachGuestUtilsAsync(wait);
        await JournalAsync($"Creating a CD-ROM on the virtual machine {vm.VerboseName}.", "The guest utilities' ISO.", by);
    }

    public async Task<Guid> ConvertToTemplateAsync(string name, string by)
    {
        var trimmed = (name ?? "").Trim();
        if (!PoolRules.IsVmName(trimmed))
        {
            throw BrokerException.Invalid("verbose_name", "verbose_name must start with a letter and be 3 to 64 letters, digits or '-'");
        }

        var template = await controller.ConvertToTemplateAsync(trimmed, Guid.NewGuid(), LongWait);
        await JournalAsync($"Vm {vm.VerboseName} has converted to template {trimmed}.", $"Template: {template}.", by);
        return template;
    }

    public async Task BackupAsync(string by)
    {
        await controller.BackupAsync(LongWait);
        await JournalAsync($"Backup for VM {vm.VerboseName} is created.", "", by);
    }

    public Task<IReadOnlyList<VmBackup>> ListBackupsAsync() => controller.ListBackupsAsync();

    /// <summary>The backup as a new VM of the VM's pool; an automated or guest pool that is full grows by one for it, as the original's.</summary>
    public async Task<Guid> RestoreBackupAsync(Guid file, string by)
    {
        var poolId = vm.PoolId ?? throw BrokerException.WrongStatus($"VM {vm.VerboseName} is in no pool");
        var (restored, name, power) = await controller.RestoreAsync(file, LongWait);
        var pool = grains.GetGrain<IPoolGrain>(poolId);
        if (await pool.GetAsync() is { PoolType: PoolType.Automated or PoolType.Guest } view && view.VmCount >= view.TotalSize)
        {
            await pool.UpdateAsync(new PoolSettings { TotalSize = view.VmCount + 1 }, by);
        }

        await grains.GetGrain<IVmInternalGrain>(restored).AttachAsync(new VmAttachment(vm.ControllerId, poolId, name, power, CreatedByBroker: true));
        await JournalAsync($"VM {vm.VerboseName} restored from a backup as {name}.", $"File: {file}.", by);
        return restored;
    }

    private Task JournalAsync(string message, string description, string by) =>
        journal.WriteAsync(new JournalEntry(JournalLevel.Info, message, description, EntityType.Vm, id, by));
}
