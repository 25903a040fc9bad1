using System.Text.Json;
using Orleans.Concurrency;
using Vdi.Grains.Interfaces.Errors;
using Vdi.Grains.Interfaces.Live;
using Vdi.Grains.Interfaces.ThinClients;
using Vdi.Grains.Live;

namespace Vdi.Grains.ThinClients;

[GrainType("chat"), StatelessWorker]
public sealed class ChatGrain(SessionTable sessions, LiveEventPublisher live) : Grain, IChatGrain
{
    public const int MessageLimit = 2048;

    public async Task<int> AdminToUsersAsync(string senderName, Guid? recipient, string message)
    {
        var text = Valid(message);
        var json = JsonSerializer.Serialize(new
        {
            msg_type = "text_msg",
            sender_name = senderName,
            message = text,
            direction = "admin_to_user",
            recipient_id = recipient,
        });
        if (recipient is { } user)
        {
            var mine = await GrainFactory.GetGrain<IUserSessionsGrain>(user).ListAsync();
            await GrainFactory.GetGrain<IUserSessionsGrain>(user).SendAsync(json);
            return mine.Count;
        }

        var all = await sessions.ActiveIdsAsync();
        await Task.WhenAll(all.Select(id => GrainFactory.GetGrain<IThinClientSessionGrain>(id).SendAsync(json)));
        return all.Count;
    }

    public Task UserToAdminsAsync(Guid senderId, string senderName, string message) =>
        live.PublishAsync(LiveStreams.Users, "text_msg", senderId, new
        {
            msg_type = "text_msg",
            direction = "user_to_admin",
            sender_id = senderId,
            sender_name = senderName,
            message = Valid(message),
            resource = LiveStreams.Users,
        });

    private static string Valid(string message)
    {
        var text = (message ?? "").Trim();
        return text.Length is > 0 and <= MessageLimit ? text : throw BrokerException.Invalid("message", $"message must be 1 to {MessageLimit} characters");
    }
}
