namespace Vdi.Simulator.Tasks;

/// <summary>An ECP task: asynchronous operations answer 202 with it and finish later.</summary>
public sealed class SimTask
{
    public const string InProgress = "IN_PROGRESS";
    public const string Success = "SUCCESS";
    public const string Failed = "FAILED";
    public const string Cancelled = "CANCELLED";

    public required Guid Id { get; init; }
    public required string Name { get; init; }
    public Guid? ParentId { get; init; }
    public required DateTimeOffset Created { get; init; }
    public string Status { get; set; } = InProgress;
    public int Progress { get; set; }
    public DateTimeOffset? Executed { get; set; }
    public string? ErrorMessage { get; set; }
    public Dictionary<Guid, string> Entities { get; init; } = [];
    public CancellationTokenSource Cancellation { get; } = new();

    public bool IsFinished => Status != InProgress;

    public Dictionary<string, object?> ToJson() => new()
    {
        ["id"] = Id,
        ["name"] = Name,
        ["status"] = Status,
        ["progress"] = Progress,
        ["is_finished"] = IsFinished,
        ["is_cancellable"] = !IsFinished,
        ["is_multitask"] = ParentId is null && Name.StartsWith("Multi", StringComparison.Ordinal),
        ["parent"] = ParentId,
        ["created"] = Created,
        ["executed"] = Executed,
        ["error_message"] = ErrorMessage ?? "",
        ["detail_message"] = ErrorMessage ?? "",
        ["entities"] = Entities.ToDictionary(e => e.Key.ToString(), e => e.Value),
    };
}
