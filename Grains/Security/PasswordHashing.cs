using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;
using Vdi.Grains.Interfaces.Errors;
using Vdi.Grains.Users;

namespace Vdi.Grains.Security;

/// <summary>
/// Password hashing and verification (PBKDF2, milliseconds of CPU each) on a few dedicated threads instead of the
/// thread pool. In a logon storm thousands of verifications queue here, in arrival order, while the thread pool
/// stays free for everything else: a user who has logged in gets a VM without waiting behind the hashes of those
/// still logging in, and the operating system shares the cores between the two. The queue's length is published as
/// the <c>vdi.password_hashing.queued</c> gauge of meter <c>Vdi.Security</c> (for example
/// <c>dotnet-counters monitor -n Vdi.Silo --counters Vdi.Security</c>).
/// </summary>
public sealed class PasswordHashing : IDisposable
{
    public const string MeterName = "Vdi.Security";
    private static readonly UserState DecoyUser = new();

    private readonly IPasswordHasher<UserState> _hasher;
    private readonly BlockingCollection<Action> _queue = [];
    private readonly Thread[] _threads;
    private readonly Lazy<string> _decoyHash;
    private readonly int _maxQueued;
    private readonly Counter<long> _refused;

    public PasswordHashing(IPasswordHasher<UserState> hasher, IOptions<PasswordHashingOptions> options, IMeterFactory meters)
    {
        _hasher = hasher;
        _decoyHash = new(() => hasher.HashPassword(DecoyUser, Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(24))));
        _maxQueued = options.Value.MaxQueued;
        var count = options.Value.Threads > 0 ? options.Value.Threads : Environment.ProcessorCount;
        _threads = [.. Enumerable.Range(0, count).Select(i => new Thread(Work) { IsBackground = true, Name = $"password-hashing-{i}" })];
        foreach (var thread in _threads)
        {
            thread.Start();
        }

        var meter = meters.Create(MeterName);
        meter.CreateObservableGauge("vdi.password_hashing.queued", () => _queue.Count, description: "password verifications waiting for a hashing thread");
        _refused = meter.CreateCounter<long>("vdi.password_hashing.refused", description: "logins refused because the hashing queue was full");
    }

    /// <summary>The number of hashing threads.</summary>
    public int Threads => _threads.Length;

    /// <summary>
    /// Verifies a password once a hashing thread is free. A verification whose caller gave up while it waited (the
    /// login's HTTP request aborted, or its grain call timed out) is cancelled without being computed, so an
    /// overloaded broker does not spend its CPU on answers nobody reads.
    /// </summary>
    public Task<PasswordVerificationResult> VerifyAsync(UserState user, string hash, string password, CancellationToken cancellation = default) =>
        RunAsync(() => _hasher.VerifyHashedPassword(user, hash, password), cancellation);

    /// <summary>
    /// A verification against a hash that matches nothing, for a login whose user does not exist or cannot log in:
    /// it costs what a wrong password costs, so response times do not tell which usernames exist.
    /// </summary>
    public Task DecoyAsync(string password, CancellationToken cancellation = default) =>
        RunAsync(() => _hasher.VerifyHashedPassword(DecoyUser, _decoyHash.Value, password), cancellation);

    public Task<string> HashAsync(UserState user, string password) => RunAsync(() => _hasher.HashPassword(user, password), default);

    private Task<T> RunAsync<T>(Func<T> work, CancellationToken cancellation)
    {
        if (_queue.Count >= _maxQueued)
        {
            _refused.Add(1);
            throw BrokerException.Overloaded("The broker is busy with logins. Try again in a few seconds.");
        }

        var done = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
        var registration = cancellation.Register(() => done.TrySetCanceled(cancellation));
        _queue.Add(() =>
        {
            registration.Dispose();
            if (done.Task.IsCompleted)
            {
                return; // cancelled while queued
            }

            try
            {
                done.TrySetResult(work());
            }
            catch (Exception e)
            {
                done.TrySetException(e);
            }
        });
        return done.Task;
    }

    private void Work()
    {
        foreach (var item in _queue.GetConsumingEnumerable())
        {
            item();
        }
    }

    /// <summary>The threads finish what is queued and end.</summary>
    public void Dispose() => _queue.CompleteAdding();
}
