namespace Vdi.Grains.Tasks.Runners;

/// <summary>
/// What a task that creates VMs has done so far. The VM ids and the idempotency key of each batch are chosen and
/// saved before the controller is asked, so a run resumed after a crash repeats the same request (the controller
/// answers with the same task) and finds the clones by id: no duplicates, none left behind.
/// </summary>
public sealed class CloneCheckpoint
{
    public bool Planned { get; set; }
    public List<CloneBatch> Batches { get; set; } = [];
    public List<Guid> Prepared { get; set; } = [];
    public bool Started { get; set; }

    public IEnumerable<Guid> CreatedIds => Batches.Where(b => b.Done).SelectMany(b => b.CreatedIds);

    public int PlannedCount => Batches.Sum(b => b.Ids.Count);
}
