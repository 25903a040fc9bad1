namespace Vdi.Grains.Tasks;

[GenerateSerializer, Alias("EntityLockState")]
public sealed class EntityLockState
{
    [Id(0)] public Guid? Owner { get; set; }
}
