namespace Vdi.Simulator.Faults;

/// <summary>The faults currently injected; changed through <c>/sim/faults</c>.</summary>
public sealed class FaultState
{
    /// <summary>Every controller request (REST and WebSocket) has its connection dropped.</summary>
    public bool Down { get; set; }

    /// <summary>Added to every controller request.</summary>
    public int LatencyMs { get; set; }

    /// <summary>Every controller request answers 401; the WebSocket answers "token error".</summary>
    public bool Unauthorized { get; set; }

    /// <summary>Requests whose path contains one of these answer 500.</summary>
    public List<string> FailPaths { get; set; } = [];

    /// <summary>A multi-create stops with a failure after this many clones.</summary>
    public int? FailCloneAfter { get; set; }
}
