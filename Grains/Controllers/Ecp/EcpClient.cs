using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Polly.CircuitBreaker;
using Polly.Timeout;
using Vdi.Grains.Interfaces.Errors;
using Vdi.Grains.Interfaces.Vms;

namespace Vdi.Grains.Controllers.Ecp;

/// <summary>
/// Talks to one ECP VeiL controller over its REST API. Retries, timeouts and the circuit breaker live in the
/// HttpClient's resilience pipeline (see <see cref="EcpClientFactory"/>); this class maps answers and failures.
/// </summary>
public sealed class EcpClient(HttpClient http, EcpClientOptions options, TimeProvider time, ControllerTrustRegistry? trust = null)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    /// <summary>The controller's host, which SPICE clients connect to.</summary>
    public string Host => http.BaseAddress?.Host ?? "";

    public Task CheckAsync(CancellationToken ct = default) => SendAsync(HttpMethod.Get, "controllers/check/", null, ct);

    public async Task<string> GetVersionAsync(CancellationToken ct = default)
    {
        var body = await SendAsync(HttpMethod.Get, "controllers/base-version/", null, ct);
        return body.TryGetProperty("version", out var v) && v.ValueKind == JsonValueKind.String
            ? v.GetString()!
            : throw new EcpException(EcpErrorKind.BadResponse, "the controller did not report its version");
    }

    public async Task<EcpPage> ListAsync(string path, IReadOnlyDictionary<string, string?>? query = null, CancellationToken ct = default)
    {
        var body = await SendAsync(HttpMethod.Get, WithQuery(path, query), null, ct);
        if (!body.TryGetProperty("results", out var results) || results.ValueKind != JsonValueKind.Array)
        {
            throw new EcpException(EcpErrorKind.BadResponse, $"{path} did not answer with a list");
        }

        var count = body.TryGetProperty("count", out var c) && c.ValueKind == JsonValueKind.Number && c.TryGetInt32(out var n) ? n : results.GetArrayLength();
        return new EcpPage(count, [.. results.EnumerateArray()]);
    }

    /// <summary>Every item of a list, page by page.</summary>
    public async Task<IReadOnlyList<JsonElement>> ListAllAsync(string path, IReadOnlyDictionary<string, string?>? query = null, CancellationToken ct = default)
    {
        const int limit = 500;
        var all = new List<JsonElement>();
        while (true)
        {
            var q = new Dictionary<string, string?>(query ?? new Dictionary<string, string?>()) { ["limit"] = $"{limit}", ["offset"] = $"{all.Count}" };
            var page = await ListAsync(path, q, ct);
            all.AddRange(page.Results);
            if (page.Results.Count == 0 || all.Count >= page.Count)
            {
                return all;
            }
        }
    }

    /// <summary>Every item of a kind of resource, for the admin's browsing.</summary>
    public async Task<IReadOnlyList<Interfaces.Controllers.ControllerResource>> ListResourcesAsync(Interfaces.Controllers.ResourceKind kind, CancellationToken ct = default)
    {
        var (path, query) = kind switch
        {
            Interfaces.Controllers.ResourceKind.Clusters => ("clusters/", null),
            Interfaces.Controllers.ResourceKind.Nodes => ("nodes/", null),
            Interfaces.Controllers.ResourceKind.ResourcePools => ("resource-pools/", null),
            Interfaces.Controllers.ResourceKind.DataPools => ("data-pools/", null),
            Interfaces.Controllers.ResourceKind.Templates => ("domains/", new Dictionary<string, string?> { ["template"] = "1" }),
            Interfaces.Controllers.ResourceKind.Vms => ("domains/", new Dictionary<string, string?> { ["template"] = "0" }),
            _ => throw new Interfaces.Errors.BrokerException(Interfaces.Errors.ErrorKind.Invalid, $"kind: unknown resource kind {kind}", "kind"),
        };
        return [.. (await ListAllAsync(path, query, ct)).Select(ResourceJson.ToResource)];
    }

    /// <summary>One resource in full (null when the controller has none with that id): scalar fields as text, nested objects by their name.</summary>
    public async Task<Interfaces.Controllers.ControllerResource?> GetResourceAsync(Interfaces.Controllers.ResourceKind kind, Guid id, CancellationToken ct = default)
    {
        var path = kind switch
        {
            Interfaces.Controllers.ResourceKind.Clusters => "clusters",
            Interfaces.Controllers.ResourceKind.Nodes => "nodes",
            Interfaces.Controllers.ResourceKind.ResourcePools => "resource-pools",
            Interfaces.Controllers.ResourceKind.DataPools => "data-pools",
            _ => "domains",
        };
        JsonElement item;
        try
        {
            item = await SendAsync(HttpMethod.Get, $"{path}/{id}/", null, ct);
        }
        catch (EcpException e) when (e.Kind == EcpErrorKind.NotFound)
        {
            return null;
        }

        var template = item.TryGetProperty("template", out var t) && t.ValueKind == JsonValueKind.True;
        if (kind is Interfaces.Controllers.ResourceKind.Templates && !template || kind is Interfaces.Controllers.ResourceKind.Vms && template)
        {
            return null; // a VM asked for as a template, or the other way round
        }

        var summary = ResourceJson.ToResource(item);
        var fields = new Dictionary<string, string>();
        foreach (var p in item.EnumerateObject().Where(p => p.Name is not ("graphics_password" or "spice_password")))
        {
            var text = p.Value.ValueKind switch
            {
                JsonValueKind.String => p.Value.GetString(),
                JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False => p.Value.ToString(),
                JsonValueKind.Object when p.Value.TryGetProperty("verbose_name", out var n) => n.GetString(),
                _ => null,
            };
            if (text is not null)
            {
                fields[p.Name] = text.Length > 512 ? text[..512] : text;
            }
        }

        return summary with { Details = fields };
    }

    /// <summary>Domains by id, in as many requests as the ids need (the id list in a URL is limited).</summary>
    public async Task<IReadOnlyList<EcpDomain>> GetDomainsAsync(IEnumerable<Guid> ids, string? fields = null, CancellationToken ct = default)
    {
        var found = new List<EcpDomain>();
        foreach (var chunk in Chunk(ids, options.MaxIdsLength))
        {
            var q = new Dictionary<string, string?> { ["ids"] = string.Join(',', chunk), ["fields"] = fields };
            found.AddRange((await ListAllAsync("domains/", q, ct)).Select(EcpDomain.Parse));
        }

        return found;
    }

    /// <summary>Any GET under the API root (details the client has no method for).</summary>
    public Task<JsonElement> GetAsync(string path, CancellationToken ct = default) => SendAsync(HttpMethod.Get, path, null, ct);

    public async Task<EcpDomain> GetDomainAsync(Guid id, CancellationToken ct = default) =>
        EcpDomain.Parse(await SendAsync(HttpMethod.Get, $"domains/{id}/", null, ct));

    /// <summary>The SPICE console's websockify token (the part of <c>spice_url</c> after <c>token=</c>), if the controller gives one.</summary>
    public async Task<string?> GetSpiceTokenAsync(Guid id, CancellationToken ct = default)
    {
        const string marker = "websockify?token=";
        var url = EcpDomain.String(await SendAsync(HttpMethod.Get, $"domains/{id}/spice/", null, ct), "spice_url") ?? "";
        var at = url.IndexOf(marker, StringComparison.Ordinal);
        return at < 0 ? null : url[(at + marker.Length)..];
    }

    /// <summary>The controller's web console of the VM (its <c>spice/</c> URL), as an absolute address; null when it gave none.</summary>
    public async Task<string?> ConsoleUrlAsync(Guid id, CancellationToken ct = default) =>
        EcpDomain.String(await SendAsync(HttpMethod.Get, $"domains/{id}/spice/", null, ct), "spice_url") is { Length: > 0 } url
            ? new Uri(http.BaseAddress!, url).ToString()
            : null;

    /// <summary>A CD-ROM with the guest utilities' ISO (the controller allows it only on a VM that is off).</summary>
    public Task<Guid> AttachGuestUtilsIsoAsync(Guid id, CancellationToken ct = default) =>
        StartTaskAsync($"domains/{id}/attach-veil-utils-iso/", new Dictionary<string, object?>(), ct);

    public Task<Guid> ConvertToTemplateAsync(Guid id, CancellationToken ct = default) =>
        StartTaskAsync($"domains/{id}/convert-to-template/", new Dictionary<string, object?>(), ct);

    /// <summary>A backup of the VM (the controller refuses one of a thin clone).</summary>
    public Task<Guid> BackupAsync(Guid id, CancellationToken ct = default) =>
        StartTaskAsync($"domains/{id}/backup/", new Dictionary<string, object?>(), ct);

    public async Task<IReadOnlyList<Interfaces.Vms.VmBackup>> ListBackupsAsync(Guid id, CancellationToken ct = default)
    {
        var body = await SendAsync(HttpMethod.Get, $"domains/{id}/show-backup/?limit=1000", null, ct);
        return body.ValueKind == JsonValueKind.Object && body.TryGetProperty("results", out var results) && results.ValueKind == JsonValueKind.Array
            ? [.. results.EnumerateArray()
                .Where(f => f.TryGetProperty("id", out var i) && Guid.TryParse(i.GetString(), out _))
                .Select(f => new Interfaces.Vms.VmBackup(Guid.Parse(f.GetProperty("id").GetString()!), EcpDomain.String(f, "filename") ?? "",
                    f.TryGetProperty("created", out var c) && c.ValueKind == JsonValueKind.String && DateTimeOffset.TryParse(c.GetString(), out var at) ? at : null))]
            : [];
    }

    /// <summary>Restores a backup as a new VM next to the original (automated-restore): the task and the new VM's id.</summary>
    public async Task<(Guid Task, Guid Vm)> RestoreAsync(Guid id, Guid file, Guid node, CancellationToken ct = default)
    {
        var answer = await SendAsync(HttpMethod.Post, $"domains/{id}/automated-restore/", new Dictionary<string, object?> { ["file_id"] = file, ["node_id"] = node }, ct);
        return answer.TryGetProperty("_task", out var task) && task.TryGetProperty("id", out var t) && Guid.TryParse(t.GetString(), out var taskId)
               && answer.TryGetProperty("entity", out var e) && Guid.TryParse(e.GetString(), out var vm)
            ? (taskId, vm)
            : throw new EcpException(EcpErrorKind.BadResponse, "automated-restore did not start a task for a new VM");
    }

    /// <summary>A node's management address (where SPICE_DIRECT connects).</summary>
    public async Task<string?> GetNodeAddressAsync(Guid node, CancellationToken ct = default) =>
        EcpDomain.String(await SendAsync(HttpMethod.Get, $"nodes/{node}/", null, ct), "management_ip");

    public Task<Guid> PowerAsync(Guid id, PowerAction action, bool force, CancellationToken ct = default) =>
        StartTaskAsync($"domains/{id}/{action.ToWireLower()}/", new Dictionary<string, object?> { ["force"] = force }, ct);

    /// <summary>One request for many domains' power.</summary>
    public Task<Guid> MultiManagerAsync(PowerAction action, IReadOnlyCollection<Guid> ids, bool force, CancellationToken ct = default) =>
        MultiManagerAsync(action.ToWireLower(), ids, force, ct);

    /// <summary>One request that deletes many domains.</summary>
    public Task<Guid> MultiDeleteAsync(IReadOnlyCollection<Guid> ids, CancellationToken ct = default) => MultiManagerAsync("delete", ids, force: true, ct);

    private Task<Guid> MultiManagerAsync(string action, IReadOnlyCollection<Guid> ids, bool force, CancellationToken ct) =>
        StartTaskAsync("domains/multi-manager/", new Dictionary<string, object?> { ["action"] = action, ["entity_ids"] = ids, ["force"] = force, ["full"] = true }, ct);

    /// <summary>
    /// Thin clones of a template under ids chosen by the broker (so a retried or resumed call can find them); ECP
    /// names them <c>{namePrefix}-N</c>. The idempotency key makes a repeated call return the first call's task.
    /// </summary>
    public Task<Guid> MultiCreateAsync(Guid template, string namePrefix, Guid resourcePool, IReadOnlyList<Guid> ids, Guid idempotencyKey, CancellationToken ct = default) =>
        StartTaskAsync("domains/multi-create-domain/", new Dictionary<string, object?>
        {
            ["parent"] = template,
            ["verbose_name"] = namePrefix,
            ["resource_pool"] = resourcePool,
            ["count"] = ids.Count,
            ["domains_ids"] = ids,
            ["thin"] = true,
            ["idempotency_key"] = idempotencyKey,
        }, ct);

    /// <summary>A full clone of a template under an id chosen by the broker.</summary>
    public Task<Guid> CloneAsync(Guid template, string name, Guid resourcePool, Guid id, Guid idempotencyKey, CancellationToken ct = default) =>
        StartTaskAsync($"domains/{template}/clone/", new Dictionary<string, object?>
        {
            ["verbose_name"] = name,
            ["resource_pool"] = resourcePool,
            ["domains_ids"] = new[] { id },
            ["idempotency_key"] = idempotencyKey,
        }, ct);

    /// <summary>
    /// The broker's one-call preparation: remote access, power on, hostname, and joining Active Directory when
    /// <paramref name="join"/> is given (<c>set_ad</c>; the guest restarts to finish joining).
    /// </summary>
    public Task<Guid> PrepareAsync(Guid id, bool remoteAccess, bool startOn, bool setHostname, Directories.DomainJoin? join = null, CancellationToken ct = default)
    {
        var body = new Dictionary<string, object?>
        {
            ["remote_access"] = remoteAccess,
            ["start_on"] = startOn,
            ["set_hostname"] = setHostname,
        };
        if (join is not null)
        {
            body["set_ad"] = new Dictionary<string, object?>
            {
                ["domainname"] = join.DomainName,
                ["login"] = join.Login,
                ["password"] = join.Password,
                ["restart"] = 1,
                ["oupath"] = join.OuPath,
            };
        }

        return StartTaskAsync($"domains/{id}/vdi-prepare/", body, ct);
    }

    /// <summary>qemu-guest-agent's guest-exec through the controller (synchronous): the program's output.</summary>
    /// <summary>Runs a program in the guest (guest-exec); <paramref name="timeout"/> is the command's own limit, in seconds.</summary>
    public async Task<GuestExecOutput> GuestExecAsync(Guid id, string path, IReadOnlyList<string> arguments, int timeout = 30, CancellationToken ct = default)
    {
        var reply = await SendAsync(HttpMethod.Post, $"domains/{id}/guest-command/", new Dictionary<string, object?>
        {
            ["qemu_cmd"] = "guest-exec",
            ["fargs"] = new Dictionary<string, object?> { ["path"] = path, ["arg"] = arguments, ["capture-output"] = true },
            ["timeout"] = timeout,
        }, ct);
        var exec = reply.ValueKind == JsonValueKind.Object && reply.TryGetProperty("guest-exec", out var e) && e.ValueKind == JsonValueKind.Object ? e : default;
        return new GuestExecOutput(Text(exec, "out-data"), Text(exec, "err-data"));

        static string Text(JsonElement exec, string name) =>
            exec.ValueKind == JsonValueKind.Object && exec.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString()! : "";
    }

    public Task<Guid> RemoteAccessAsync(Guid id, bool enable, CancellationToken ct = default) =>
        StartTaskAsync($"domains/{id}/remote-access/", new Dictionary<string, object?> { ["remote_access"] = enable }, ct);

    /// <summary>Attaches a TCP-USB device shared by the thin client (host and port as the client sees them).</summary>
    public Task<JsonElement> AttachUsbAsync(Guid id, string host, int port, CancellationToken ct = default) =>
        SendAsync(HttpMethod.Post, $"domains/{id}/attach-usb/", new Dictionary<string, object?>
        {
            ["action_type"] = "tcp_usb_device",
            ["tcp_usb"] = new Dictionary<string, object?> { ["host"] = host, ["service"] = port },
            ["no_task"] = true,
        }, ct);

    /// <summary>Detaches one TCP-USB device, or all of them.</summary>
    public Task<JsonElement> DetachUsbAsync(Guid id, string? usb, bool removeAll, CancellationToken ct = default) =>
        SendAsync(HttpMethod.Post, $"domains/{id}/detach-usb/", new Dictionary<string, object?>
        {
            ["usb"] = usb,
            ["remove_all"] = removeAll,
            ["no_task"] = true,
        }, ct);

    public async Task<EcpTaskInfo> GetTaskAsync(Guid id, CancellationToken ct = default)
    {
        var body = await SendAsync(HttpMethod.Get, $"tasks/{id}/", null, ct);
        var status = body.TryGetProperty("status", out var s) ? s.GetString() ?? "" : "";
        var progress = body.TryGetProperty("progress", out var p) && p.ValueKind == JsonValueKind.Number && p.TryGetInt32(out var n) ? n : 0;
        var error = body.TryGetProperty("error_message", out var e) && e.ValueKind == JsonValueKind.String ? e.GetString() : null;
        Guid? first = body.TryGetProperty("entities", out var entities) && entities.ValueKind == JsonValueKind.Object
                      && entities.EnumerateObject().Select(x => Guid.TryParse(x.Name, out var g) ? g : (Guid?)null).FirstOrDefault(g => g is not null) is { } entity
            ? entity
            : null;
        return new EcpTaskInfo(id, status, progress, string.IsNullOrEmpty(error) ? null : error, first);
    }

    /// <summary>Creates a tag (asynchronous on the controller); the task to wait for, whose first entity is the tag.</summary>
    public Task<Guid> CreateTagAsync(string name, string colour, CancellationToken ct = default) =>
        StartTaskAsync("tags/", new Dictionary<string, object?> { ["verbose_name"] = name, ["colour"] = colour }, ct);

    public Task AddTagEntitiesAsync(Guid tag, IReadOnlyList<Guid> domains, CancellationToken ct = default) =>
        SendAsync(HttpMethod.Post, $"tags/{tag}/add-entity/", new Dictionary<string, object?> { ["entity_class"] = "domain", ["entity_uuids"] = domains }, ct);

    public Task RenameTagAsync(Guid tag, string name, CancellationToken ct = default) =>
        SendAsync(HttpMethod.Put, $"tags/{tag}/", new Dictionary<string, object?> { ["verbose_name"] = name }, ct);

    public Task DeleteTagAsync(Guid tag, CancellationToken ct = default) => SendAsync(HttpMethod.Delete, $"tags/{tag}/", null, ct);

    public Task CancelTaskAsync(Guid id, CancellationToken ct = default) =>
        SendAsync(HttpMethod.Put, $"tasks/{id}/cancel/", new Dictionary<string, object?> { ["force"] = true }, ct);

    /// <summary>Polls a task until it finishes or the timeout passes (then it is cancelled on the controller).</summary>
    public async Task<EcpTaskInfo> WaitForTaskAsync(Guid id, TimeSpan timeout, CancellationToken ct = default)
    {
        var deadline = time.GetUtcNow() + timeout;
        while (true)
        {
            var task = await GetTaskAsync(id, ct);
            if (task.IsFinished)
            {
                return task;
            }

            if (time.GetUtcNow() >= deadline)
            {
                await CancelTaskAsync(id, ct);
                throw new TimeoutException($"controller task {id} did not finish within {timeout.TotalSeconds:0} s");
            }

            await Task.Delay(options.TaskPollInterval, time, ct);
        }
    }

    /// <summary>Splits ids so that each comma-joined list stays within <paramref name="maxLength"/> characters.</summary>
    public static IEnumerable<List<Guid>> Chunk(IEnumerable<Guid> ids, int maxLength)
    {
        var perChunk = Math.Max(1, (maxLength + 1) / 37); // 36 characters and a comma per id
        return ids.Distinct().Chunk(perChunk).Select(c => c.ToList());
    }

    private async Task<Guid> StartTaskAsync(string path, Dictionary<string, object?> body, CancellationToken ct)
    {
        var answer = await SendAsync(HttpMethod.Post, path, body, ct);
        if (answer.TryGetProperty("_task", out var task) && task.TryGetProperty("id", out var id) && Guid.TryParse(id.GetString(), out var taskId))
        {
            return taskId;
        }

        throw new EcpException(EcpErrorKind.BadResponse, $"{path} did not start a task");
    }

    private async Task<JsonElement> SendAsync(HttpMethod method, string path, Dictionary<string, object?>? body, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(method, path);
        if (body is not null)
        {
            body.TryAdd("idempotency_key", Guid.NewGuid()); // one key per logical call: retries repeat it
            request.Content = JsonContent.Create(body, options: Json);
        }

        HttpResponseMessage response;
        try
        {
            response = await http.SendAsync(request, ct);
        }
        catch (Exception e) when (e is HttpRequestException or TimeoutRejectedException or BrokenCircuitException
                                       || (e is TaskCanceledException && !ct.IsCancellationRequested))
        {
            var refusal = e is HttpRequestException { InnerException: System.Security.Authentication.AuthenticationException } ? trust?.Refusal(http.BaseAddress) : null;
            throw new EcpException(EcpErrorKind.Unreachable, refusal is null
                ? $"the controller at {http.BaseAddress?.Authority} did not answer: {Describe(e)}"
                : $"the controller at {http.BaseAddress?.Authority} is not trusted: {refusal}", inner: e);
        }

        using (response)
        {
            var text = await response.Content.ReadAsStringAsync(ct);
            if (response.IsSuccessStatusCode)
            {
                try
                {
                    return text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone();
                }
                catch (JsonException e)
                {
                    throw new EcpException(EcpErrorKind.BadResponse, $"{path} answered with something other than JSON", (int)response.StatusCode, e);
                }
            }

            var status = (int)response.StatusCode;
            var detail = ErrorDetail(text) ?? response.ReasonPhrase ?? "";
            var kind = response.StatusCode switch
            {
                HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden => EcpErrorKind.Unauthorized,
                HttpStatusCode.NotFound => EcpErrorKind.NotFound,
                >= HttpStatusCode.InternalServerError => EcpErrorKind.ServerError,
                _ => EcpErrorKind.Rejected,
            };
            throw new EcpException(kind, $"{method} {path}: {status} {detail}".Trim(), status);
        }
    }

    private static string? ErrorDetail(string body)
    {
        try
        {
            using var doc = JsonDocument.Parse(body);
            return doc.RootElement.TryGetProperty("errors", out var errors) && errors.ValueKind == JsonValueKind.Array && errors.GetArrayLength() > 0
                   && errors[0].TryGetProperty("detail", out var d)
                ? d.ToString()
                : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static string Describe(Exception e) => e switch
    {
        BrokenCircuitException => "recent calls failed, waiting before trying again",
        TimeoutRejectedException or TaskCanceledException => "timed out",
        _ => e.InnerException?.Message ?? e.Message,
    };

    private static string WithQuery(string path, IReadOnlyDictionary<string, string?>? query)
    {
        var pairs = (query ?? new Dictionary<string, string?>()).Where(kv => kv.Value is not null)
            .Select(kv => $"{Uri.EscapeDataString(kv.Key)}={Uri.EscapeDataString(kv.Value!)}").ToList();
        return pairs.Count == 0 ? path : $"{path}?{string.Join('&', pairs)}";
    }

    internal static void Authorize(HttpClient http, string token) =>
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("jwt", token);
}
