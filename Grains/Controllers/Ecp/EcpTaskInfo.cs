namespace Vdi.Grains.Controllers.Ecp;

/// <summary>An ECP task as polled: SUCCESS or FAILED (or CANCELLED) when finished.</summary>
public sealed record EcpTaskInfo(Guid Id, string Status, int Progress, string? Error)
{
    public bool IsFinished => Status is "SUCCESS" or "FAILED" or "CANCELLED" or "CANCELED";

    public bool Succeeded => Status == "SUCCESS";
}
