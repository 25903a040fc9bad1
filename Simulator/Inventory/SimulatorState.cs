using System.Text.Json;
using Microsoft.Extensions.Options;
using Vdi.Simulator.Hosting;

namespace Vdi.Simulator.Inventory;

/// <summary>
/// Keeps the simulator's domains and tags in <see cref="SimulatorOptions.StateFile"/> when one is configured: read
/// back when the simulator starts, written (whole, through a temporary file) within a second of a change and at
/// shutdown. A broker's data outlives a restart of its controller; without this, a second <c>scripts/run.sh</c> met
/// a broker whose VMs the simulator had forgotten.
/// </summary>
public sealed partial class SimulatorState : BackgroundService
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        PreferredObjectCreationHandling = System.Text.Json.Serialization.JsonObjectCreationHandling.Populate,
        WriteIndented = true,
    };

    private readonly SimInventory _inventory;
    private readonly TagBook _tags;
    private readonly ILogger<SimulatorState> _logger;
    private readonly string? _path;
    private long _savedChanges = -1;
    private string _savedTags = "";

    /// <summary>The file's content; the domains stay JSON here because the inventory serializes them under its lock.</summary>
    private sealed record State(JsonElement Domains, List<TagBook.Tag> Tags);

    public SimulatorState(SimInventory inventory, TagBook tags, IOptions<SimulatorOptions> options, IHostEnvironment env, ILogger<SimulatorState> logger)
    {
        _inventory = inventory;
        _tags = tags;
        _logger = logger;
        if (string.IsNullOrWhiteSpace(options.Value.StateFile))
        {
            return;
        }

        _path = Path.GetFullPath(Path.Combine(env.ContentRootPath, options.Value.StateFile));
        if (File.Exists(_path))
        {
            var state = JsonSerializer.Deserialize<State>(File.ReadAllText(_path), Json)
                ?? throw new InvalidOperationException($"Simulator:StateFile {_path} is empty");
            var domains = state.Domains.Deserialize<List<SimDomain>>(Json) ?? [];
            inventory.Restore(domains);
            tags.Restore(state.Tags);
            LogRestored(logger, domains.Count, state.Tags.Count, _path);
        }

        _savedChanges = inventory.Changes;
        _savedTags = JsonSerializer.Serialize(tags.All, Json);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (_path is null)
        {
            return;
        }

        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1));
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                Save();
            }
        }
        catch (OperationCanceledException)
        {
            // shutting down: StopAsync saves once more
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        if (_path is not null)
        {
            Save();
        }
    }

    private void Save()
    {
        var changes = _inventory.Changes;
        List<TagBook.Tag> tagList = [.. _tags.All];
        var tags = JsonSerializer.Serialize(tagList, Json);
        if (changes == _savedChanges && tags == _savedTags)
        {
            return;
        }

        try
        {
            Directory.CreateDirectory(Path.GetDirectoryName(_path)!);
            var temporary = _path + ".tmp";
            File.WriteAllText(temporary, JsonSerializer.Serialize(new State(_inventory.Snapshot(Json), tagList), Json));
            File.Move(temporary, _path!, overwrite: true);
            (_savedChanges, _savedTags) = (changes, tags);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            LogSaveFailed(_logger, _path!, e.Message); // tried again within a second
        }
    }

    [LoggerMessage(EventId = Hosting.LogEvents.StateRestored, Level = LogLevel.Information, Message = "Restored {Domains} domains and {Tags} tags from {Path}")]
    private static partial void LogRestored(ILogger logger, int domains, int tags, string path);

    [LoggerMessage(EventId = Hosting.LogEvents.StateSaveFailed, Level = LogLevel.Warning, Message = "Could not save the simulator's state to {Path}: {Reason}")]
    private static partial void LogSaveFailed(ILogger logger, string path, string reason);
}
