namespace Vdi.Grains.Interfaces.ThinClients;

/// <summary>Text messages between administrators and thin-client users (§8.2 text_msg).</summary>
[Alias("IChatGrain")]
public interface IChatGrain : IGrainWithIntegerKey
{
    /// <summary>To one user (every open session of theirs), or to every connected thin client when <paramref name="recipient"/> is null.</summary>
    [Alias("AdminToUsersAsync")]
    Task<int> AdminToUsersAsync(string senderName, Guid? recipient, string message);

    /// <summary>A user's message, delivered to the administrators' live view.</summary>
    [Alias("UserToAdminsAsync")]
    Task UserToAdminsAsync(Guid senderId, string senderName, string message);
}
