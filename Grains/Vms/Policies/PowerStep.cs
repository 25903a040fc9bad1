using Vdi.Grains.Interfaces.Pools;
using Vdi.Grains.Interfaces.Vms;

namespace Vdi.Grains.Vms.Policies;

/// <summary>A power step on the controller: the ECP action and its force flag.</summary>
public sealed record PowerStep(PowerAction Action, bool Force);
