using System.Diagnostics.Metrics;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Vdi.Grains.Security;
using Vdi.Grains.Users;

namespace Vdi.Tests.Users;

public sealed class PasswordHashingTests
{
    private readonly IMeterFactory _meters = new ServiceCollection().AddMetrics().BuildServiceProvider().GetRequiredService<IMeterFactory>();

    private sealed class RecordingHasher : IPasswordHasher<UserState>
    {
        private readonly PasswordHasher<UserState> _real = new(Options.Create(new PasswordHasherOptions { IterationCount = 10_000 }));

        public List<(string Password, string? Thread, bool PoolThread)> Calls { get; } = [];

        /// <summary>Holds every call until set.</summary>
        public ManualResetEventSlim Gate { get; } = new(true);

        public string HashPassword(UserState user, string password)
        {
            Record(password);
            return _real.HashPassword(user, password);
        }

        public PasswordVerificationResult VerifyHashedPassword(UserState user, string hashedPassword, string providedPassword)
        {
            Record(providedPassword);
            return _real.VerifyHashedPassword(user, hashedPassword, providedPassword);
        }

        private void Record(string password)
        {
            lock (Calls)
            {
                Calls.Add((password, Thread.CurrentThread.Name, Thread.CurrentThread.IsThreadPoolThread));
            }

            Gate.Wait(TimeSpan.FromSeconds(30));
        }
    }

    private PasswordHashing OneThread(RecordingHasher hasher) => new(hasher, Options.Create(new PasswordHashingOptions { Threads = 1 }), _meters);

    /// <summary>One hashing thread, held by a first verification ("first") until the hasher's gate is set again.</summary>
    private async Task<(RecordingHasher Hasher, PasswordHashing Hashing, string Hash, Task Busy)> HeldAsync()
    {
        var hasher = new RecordingHasher();
        var hashing = OneThread(hasher);
        var hash = await hashing.HashAsync(new UserState(), "Bazalt1!");
        hasher.Gate.Reset();
        var busy = hashing.VerifyAsync(new UserState(), hash, "first");
        Assert.True(SpinWait.SpinUntil(() => hasher.Calls.Count == 2, TimeSpan.FromSeconds(10)), "the hashing thread did not take the first one");
        return (hasher, hashing, hash, busy);
    }

    [Fact]
    public async Task Hashing_runs_on_its_own_threads_in_arrival_order_and_verifies_as_the_hasher_does()
    {
        var hasher = new RecordingHasher();
        using var hashing = OneThread(hasher);
        var user = new UserState();

        var hash = await hashing.HashAsync(user, "Bazalt1!");
        var checks = Enumerable.Range(0, 20).Select(i => hashing.VerifyAsync(user, hash, i == 7 ? "Bazalt1!" : $"wrong-{i}")).ToList();
        var results = await Task.WhenAll(checks);

        Assert.Equal(PasswordVerificationResult.Success, results[7]);
        Assert.Equal(19, results.Count(r => r == PasswordVerificationResult.Failed));
        // one thread: the queue is served in the order it was filled, none of it on the thread pool
        Assert.Equal(["Bazalt1!", .. Enumerable.Range(0, 20).Select(i => i == 7 ? "Bazalt1!" : $"wrong-{i}")], hasher.Calls.Select(c => c.Password));
        Assert.All(hasher.Calls, c => Assert.Equal(("password-hashing-0", false), (c.Thread, c.PoolThread)));
    }

    [Fact]
    public async Task Beyond_its_bound_the_queue_refuses_at_once_with_the_brokers_busy_answer()
    {
        var hasher = new RecordingHasher();
        using var hashing = new PasswordHashing(hasher, Options.Create(new PasswordHashingOptions { Threads = 1, MaxQueued = 2 }), _meters);
        var hash = await hashing.HashAsync(new UserState(), "Bazalt1!");
        hasher.Gate.Reset();
        var busy = hashing.VerifyAsync(new UserState(), hash, "first");
        Assert.True(SpinWait.SpinUntil(() => hasher.Calls.Count == 2, TimeSpan.FromSeconds(10)));
        var queued = new[] { hashing.VerifyAsync(new UserState(), hash, "a"), hashing.VerifyAsync(new UserState(), hash, "b") };

        // the third waiting one is refused before it is queued: a 503 at the gateway, never a wait of minutes
        var refused = Assert.Throws<Vdi.Grains.Interfaces.Errors.BrokerException>(() => { _ = hashing.DecoyAsync("spray"); });
        Assert.Equal(Vdi.Grains.Interfaces.Errors.ErrorKind.Overloaded, refused.Kind);
        Assert.True(Vdi.WebGateway.Hosting.DependencyFailures.IsDependencyFailure(refused));
        hasher.Gate.Set();
        await Task.WhenAll([busy, .. queued]);
        Assert.Equal(PasswordVerificationResult.Success, await hashing.VerifyAsync(new UserState(), hash, "Bazalt1!")); // room again
    }

    [Fact]
    public async Task The_queue_length_is_published_as_a_gauge()
    {
        var (hasher, hashing, hash, busy) = await HeldAsync();
        using var _ = hashing;
        var queued = Enumerable.Range(0, 3).Select(_ => hashing.VerifyAsync(new UserState(), hash, "later")).ToList();

        Assert.Equal(3, Measure());
        hasher.Gate.Set();
        await Task.WhenAll([busy, .. queued]);
        Assert.Equal(0, Measure());

        int Measure()
        {
            var seen = -1;
            using var listener = new MeterListener
            {
                InstrumentPublished = (instrument, l) =>
                {
                    if (instrument.Meter.Scope == _meters && instrument.Meter.Name == PasswordHashing.MeterName && instrument.Name == "vdi.password_hashing.queued")
                    {
                        l.EnableMeasurementEvents(instrument);
                    }
                },
            };
            listener.SetMeasurementEventCallback<int>((_, value, _, _) => seen = value);
            listener.Start();
            listener.RecordObservableInstruments();
            return seen;
        }
    }

    [Fact]
    public async Task A_verification_whose_caller_gave_up_while_queued_is_never_computed()
    {
        var (hasher, hashing, hash, busy) = await HeldAsync();
        using var _ = hashing;
        using var gaveUp = new CancellationTokenSource();
        var abandoned = hashing.VerifyAsync(new UserState(), hash, "abandoned", gaveUp.Token);
        var kept = hashing.VerifyAsync(new UserState(), hash, "Bazalt1!");

        await gaveUp.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => abandoned); // at once, not after the queue ahead of it
        hasher.Gate.Set();
        Assert.Equal(PasswordVerificationResult.Success, await kept);
        await busy;
        Assert.DoesNotContain(hasher.Calls, c => c.Password == "abandoned");
    }

    [Fact]
    public async Task A_login_of_nobody_costs_a_verification_on_the_hashing_threads()
    {
        var hasher = new RecordingHasher();
        using var hashing = OneThread(hasher);

        await hashing.DecoyAsync("guess");

        // the decoy's own hash is made once, then the guess is verified against it like a real password
        Assert.Equal("guess", hasher.Calls[^1].Password);
        Assert.All(hasher.Calls, c => Assert.Equal("password-hashing-0", c.Thread));
        await hashing.DecoyAsync("another guess");
        Assert.Equal(3, hasher.Calls.Count);
    }

    [Fact]
    public void Threads_default_to_one_per_core()
    {
        using var hashing = new PasswordHashing(new RecordingHasher(), Options.Create(new PasswordHashingOptions()), _meters);
        Assert.Equal(Environment.ProcessorCount, hashing.Threads);
    }
}
