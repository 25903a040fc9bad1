using Vdi.Simulator.Events;
using Vdi.Simulator.Tasks;

namespace Vdi.Simulator.Api;

/// <summary>Task details, subtask lists and cancellation.</summary>
public static class TaskApi
{
    public static RouteGroupBuilder MapTasks(this RouteGroupBuilder api)
    {
        api.MapGet("/tasks/", (HttpRequest request, TaskBook tasks, Guid? parent, string? status) =>
            Paging.Page(request, tasks.List(parent, status).Select(t => t.ToJson())));
        api.MapGet("/tasks/{id:guid}/", (Guid id, TaskBook tasks) =>
            tasks.Get(id) is { } t ? Results.Json(t.ToJson(), EventHub.Json) : EcpErrors.NotFound());
        api.MapPut("/tasks/{id:guid}/cancel/", (Guid id, TaskBook tasks) =>
            tasks.Cancel(id) ? Results.Json(tasks.Get(id)!.ToJson(), EventHub.Json) : EcpErrors.NotFound());
        return api;
    }
}
