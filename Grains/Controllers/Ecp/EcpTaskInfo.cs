namespace Vdi.Grains.Controllers.Ecp;

/// <summary>
/// An ECP task as polled: SUCCESS or FAILED (or CANCELLED) when finished. <see cref="FirstEntity"/> is the first
/// entity the task names (what the original reads as <c>task.first_entity</c>: the new tag of <c>POST tags/</c>).
/// </summary>
public sealed record EcpTaskInfo(Guid Id, string Status, int Progress, string? Error, Guid? FirstEntity = null)
{
    public bool IsFinished => Status is "SUCCESS" or "FAILED" or "CANCELLED" or "CANCELED";

    public bool Succeeded => Status == "SUCCESS";
}
