using Vdi.Simulator.Events;

namespace Vdi.Simulator.Api;

/// <summary>ECP's event log: <c>GET events/</c> with <c>event_type</c>, and the paginator (<c>limit, offset, ordering</c>; newest first by default).</summary>
public static class EventApi
{
    public static RouteGroupBuilder MapEvents(this RouteGroupBuilder api)
    {
        api.MapGet("/events/", (HttpRequest request, EventLog log, int? event_type) => Paging.Page(request, log.List(event_type)));
        return api;
    }
}
