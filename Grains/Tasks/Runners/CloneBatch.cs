namespace Vdi.Grains.Tasks.Runners;

public sealed class CloneBatch
{
    public List<Guid> Ids { get; set; } = [];
    public Guid IdempotencyKey { get; set; }
    public Guid? ControllerTaskId { get; set; }
    public bool Done { get; set; }
    public List<Guid> CreatedIds { get; set; } = [];
    public string? Error { get; set; }
}
