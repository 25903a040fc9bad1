namespace Vdi.Grains.Interfaces.Live;

/// <summary>Where live events flow: one stream per resource (the stream key) on the "live" stream provider.</summary>
public static class LiveStreams
{
    public const string Provider = "live";
    public const string Namespace = "live";

    public const string Controllers = "/controllers/";
    public const string Domains = "/domains/";
}
