using Vdi.Grains.Interfaces.Users;

namespace Vdi.Grains.Users;

/// <summary>What only silos ask a user: a login whose directory verdict the caller already has.</summary>
[Alias("IUserInternalGrain")]
internal interface IUserInternalGrain : IUserGrain
{
    /// <summary>
    /// A directory login just created this user (the username grain asked the directory first): the verdict is used
    /// as it is instead of asking the directory a second time; everything else is <see cref="IUserGrain.LoginAsync"/>.
    /// </summary>
    [Alias("LoginCheckedAsync")]
    Task<LoginOutcome> LoginCheckedAsync(LoginAttempt attempt, Directories.DirectoryLogin verdict, CancellationToken cancellation = default);
}
