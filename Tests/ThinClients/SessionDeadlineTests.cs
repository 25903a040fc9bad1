using Microsoft.Extensions.Time.Testing;
using Vdi.Grains.ThinClients;

namespace Vdi.Tests.ThinClients;

/// <summary>The monitor's rules for an open session: dead after 35 s without data; away after the AFK timeout when enabled.</summary>
public sealed class SessionDeadlineTests
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 28, 9, 0, 0, TimeSpan.Zero));

    private SessionState Opened() => new() { Connected = _time.GetUtcNow(), DataReceived = _time.GetUtcNow() };

    private static readonly TimeSpan Dead = TimeSpan.FromSeconds(35);

    private static TimeSpan? Afk(bool on) => on ? TimeSpan.FromSeconds(300) : null;

    [Fact]
    public void A_session_without_data_for_longer_than_the_timeout_is_dead()
    {
        var session = Opened();
        _time.Advance(TimeSpan.FromSeconds(35));
        Assert.Equal(SessionVerdict.Alive, SessionDeadline.Check(session, _time.GetUtcNow(), Dead, Afk(false)));
        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(SessionVerdict.Dead, SessionDeadline.Check(session, _time.GetUtcNow(), Dead, Afk(false)));
    }

    [Fact]
    public void Pings_keep_a_session_alive_but_do_not_count_as_the_user_doing_something()
    {
        var session = Opened();
        for (var i = 0; i < 31; i++)
        {
            _time.Advance(TimeSpan.FromSeconds(10));
            session.DataReceived = _time.GetUtcNow(); // the client's pong
        }

        Assert.Equal(SessionVerdict.Alive, SessionDeadline.Check(session, _time.GetUtcNow(), Dead, Afk(false)));
        Assert.Equal(SessionVerdict.Away, SessionDeadline.Check(session, _time.GetUtcNow(), Dead, Afk(true)));
    }

    [Fact]
    public void The_afk_clock_starts_again_at_the_last_interaction()
    {
        var session = Opened();
        _time.Advance(TimeSpan.FromSeconds(200));
        session.LastInteraction = _time.GetUtcNow();
        _time.Advance(TimeSpan.FromSeconds(150));
        session.DataReceived = _time.GetUtcNow();
        Assert.Equal(SessionVerdict.Alive, SessionDeadline.Check(session, _time.GetUtcNow(), Dead, Afk(true)));
        _time.Advance(TimeSpan.FromSeconds(151));
        session.DataReceived = _time.GetUtcNow();
        Assert.Equal(SessionVerdict.Away, SessionDeadline.Check(session, _time.GetUtcNow(), Dead, Afk(true)));
    }

    [Fact]
    public void A_closed_session_is_left_alone()
    {
        var session = Opened();
        session.Disconnected = _time.GetUtcNow();
        _time.Advance(TimeSpan.FromHours(1));
        Assert.Equal(SessionVerdict.Alive, SessionDeadline.Check(session, _time.GetUtcNow(), Dead, Afk(true)));
    }
}
