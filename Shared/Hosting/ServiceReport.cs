namespace Vdi.Shared.Hosting;

/// <summary>What a process says about itself on the services page: where it listens, its health and what it holds.</summary>
public sealed record ServiceReport(string Name, string Address, string Health, IReadOnlyDictionary<string, object?> Details);
