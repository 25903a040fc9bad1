namespace Vdi.Grains.Tasks;

/// <summary>A task's work could not be done (some VMs were not created, the controller refused a deletion): the task FAILS with this message.</summary>
public sealed class TaskFailedException(string message) : Exception(message);
