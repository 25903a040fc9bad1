namespace Vdi.Grains.Hosting;

/// <summary>
/// No activation keeps state whose write failed: a grain changes its state in memory and then writes it, so when the
/// write fails (Postgres away, a stale ETag) the activation is deactivated and the caller sees the failure; the next
/// call activates the grain again from what is stored. Without it, a login during an outage replaced the user's
/// current token in memory only, and the old, stored token was refused until the silo restarted.
/// </summary>
public static class StateWrites
{
    public static async Task WriteOrForgetAsync<T>(this IPersistentState<T> state, IGrainBase grain)
    {
        try
        {
            await state.WriteStateAsync();
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            grain.GrainContext.Deactivate(new DeactivationReason(DeactivationReasonCode.ApplicationError, $"a state write failed: {e.GetType().Name}"), CancellationToken.None);
            throw;
        }
    }
}
