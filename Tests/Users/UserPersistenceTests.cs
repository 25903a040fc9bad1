using Vdi.Grains.Interfaces.Users;
using Vdi.Tests.Fixtures;

namespace Vdi.Tests.Users;

[Collection(ClusterCollection.Name)]
public sealed class UserPersistenceTests(ClusterFixture fixture)
{
    private IGrainFactory Grains => fixture.Client;

    private static NewUser NewUser(string? name = null, string password = "S3cret-pass") =>
        new(name ?? $"user-{Guid.NewGuid():N}", password, IsSuperuser: false, Roles: [Role.Operator], Creator: "tests",
            FirstName: "Ann", LastName: "Lee", Email: "ann@example.org");

    [Fact]
    public async Task Created_user_is_read_back_after_deactivation_and_is_stored_as_plain_json()
    {
        var request = NewUser();
        var user = await Grains.ForName(request.Username).CreateUserAsync(request);
        var grain = Grains.GetGrain<IUserGrain>(user.Id);
        await fixture.Cluster.DeactivateAsync(grain);
        await fixture.Cluster.DeactivateAsync(Grains.ForName(request.Username));

        Assert.Equal(user.Id, await Grains.ForName(request.Username.ToUpperInvariant()).FindUserIdAsync());
        var reread = await grain.GetAsync();
        Assert.NotNull(reread);
        Assert.Equal(request.Username, reread.Username);
        Assert.Equal([Role.Operator], reread.Roles);
        Assert.Equal("Lee", reread.LastName);

        var json = await TestDb.ScalarAsync<string>(
            "select convert_from(payloadbinary, 'UTF8') from orleansstorage where serviceid = @svc and graintypestring = 'user' and grainidn0 <> 0 and payloadbinary is not null and convert_from(payloadbinary, 'UTF8') like '%' || @name || '%'",
            ("svc", fixture.ServiceId), ("name", request.Username));
        Assert.NotNull(json);
        Assert.Contains($"\"Username\":\"{request.Username}\"", json);
        Assert.DoesNotContain("$type", json);
        Assert.DoesNotContain(request.Password, json);
    }

    [Fact]
    public async Task Created_user_is_projected_into_the_users_table_and_journaled()
    {
        var request = NewUser();
        var user = await Grains.ForName(request.Username).CreateUserAsync(request);

        Assert.Equal(request.Username, await TestDb.ScalarAsync<string>("select username from vdi_users where id = @id", ("id", user.Id)));
        Assert.Equal(new[] { "OPERATOR" }, await TestDb.ScalarAsync<string[]>("select roles from vdi_users where id = @id", ("id", user.Id)));
        Assert.Equal(1L, await TestDb.ScalarAsync<long>(
            "select count(*) from vdi_journal where entity_id = @id and entity_type = 'USER' and message = @message",
            ("id", user.Id), ("message", $"User {request.Username} created.")));
    }

    [Fact]
    public async Task State_survives_a_silo_restart()
    {
        var request = NewUser();
        var user = await Grains.ForName(request.Username).CreateUserAsync(request);
        var versionBefore = await TestDb.ScalarAsync<int>(
            "select version from orleansstorage where serviceid = @svc and graintypestring = 'username' and grainidextensionstring = @key",
            ("svc", fixture.ServiceId), ("key", Usernames.Key(request.Username)));
        Assert.Equal(1, versionBefore);

        await fixture.Cluster.RestartSiloAsync(fixture.Cluster.Silos[0]);
        await fixture.Cluster.InitializeClientAsync();

        var reread = await fixture.Client.GetGrain<IUserGrain>(user.Id).GetAsync();
        Assert.NotNull(reread);
        Assert.Equal(user.Created, reread.Created);
        Assert.Equal(user.Id, await fixture.Client.ForName(request.Username).FindUserIdAsync());
    }

    [Fact]
    public async Task Password_is_checked_against_a_hash()
    {
        var request = NewUser(password: "correct horse battery");
        var user = await Grains.ForName(request.Username).CreateUserAsync(request);
        var grain = Grains.GetGrain<IUserGrain>(user.Id);

        Assert.NotNull((await grain.LoginAsync(Attempt("correct horse battery"))).User);
        Assert.Null((await grain.LoginAsync(Attempt("correct horse battery "))).User);
        Assert.Null((await grain.LoginAsync(Attempt(""))).User);
        Assert.Null((await Grains.GetGrain<IUserGrain>(Guid.NewGuid()).LoginAsync(Attempt("correct horse battery"))).User);

        // the login path goes through the name: any spelling of it, and a name nobody holds answers null
        Assert.Equal(user.Id, (await Grains.ForName(request.Username.ToUpperInvariant()).LoginAsync(Attempt("correct horse battery"))).User?.Id);
        Assert.Null((await Grains.ForName(request.Username).LoginAsync(Attempt("wrong"))).User);
        Assert.Null((await Grains.ForName($"nobody-{Guid.NewGuid():N}").LoginAsync(Attempt("correct horse battery"))).User);
    }

    [Fact]
    public async Task Concurrent_creations_of_one_username_admit_exactly_one()
    {
        var name = $"race-{Guid.NewGuid():N}";
        var attempts = Enumerable.Range(0, 8).Select(i => Task.Run(async () =>
        {
            try
            {
                // differently cased spellings reach the same index entry
                var spelled = i % 2 == 0 ? name : name.ToUpperInvariant();
                return (object)await Grains.ForName(spelled).CreateUserAsync(NewUser(spelled));
            }
            catch (BrokerException e) when (e.Kind == ErrorKind.Conflict && e.Field == "username")
            {
                return e;
            }
        })).ToList();
        var results = await Task.WhenAll(attempts);

        Assert.Single(results.OfType<UserView>());
        Assert.Equal(7, results.OfType<BrokerException>().Count());
        Assert.Equal(1L, await TestDb.ScalarAsync<long>("select count(*) from vdi_users where lower(username) = @name", ("name", name)));
    }

    [Theory]
    [InlineData("", "pw", "username")]
    [InlineData("someone", "", "password")]
    public async Task Invalid_new_user_is_rejected_with_the_field_named(string username, string password, string field)
    {
        var key = username.Length == 0 ? $"empty-{Guid.NewGuid():N}" : $"{username}-{Guid.NewGuid():N}";
        var request = NewUser(username.Length == 0 ? "" : key, password);
        var error = await Assert.ThrowsAsync<BrokerException>(() => Grains.GetGrain<IUsernameGrain>(key).CreateUserAsync(request));
        Assert.Equal((ErrorKind.Invalid, field), (error.Kind, error.Field));
        Assert.Contains(field, error.Message);
        Assert.Null(await Grains.GetGrain<IUsernameGrain>(key).FindUserIdAsync());
    }

    [Fact]
    public async Task A_login_whose_state_write_fails_changes_nothing_the_next_call_sees()
    {
        var request = NewUser();
        var user = await Grains.ForName(request.Username).CreateUserAsync(request);
        var grain = Grains.GetGrain<IUserGrain>(user.Id);
        var first = Guid.NewGuid();
        await grain.LoginAsync(Attempt(request.Password, first));
        Assert.NotNull(await grain.GetAccessAsync(first));

        // the database refuses this user's next write, as an outage would (a trigger of this test's own, on its row only)
        var name = $"vdi_test_refuse_{user.Id:N}";
        await TestDb.ExecuteAsync($"""
            create function {name}() returns trigger language plpgsql as $f$
            begin
              if position('{user.Id}' in convert_from(new.payloadbinary, 'UTF8')) > 0 then raise exception 'injected outage'; end if;
              return new;
            end $f$;
            create trigger {name} before update on orleansstorage for each row execute function {name}();
            """);
        var second = Guid.NewGuid();
        try
        {
            await Assert.ThrowsAnyAsync<Exception>(() => grain.LoginAsync(Attempt(request.Password, second)));
        }
        finally
        {
            await TestDb.ExecuteAsync($"drop trigger {name} on orleansstorage; drop function {name}();");
        }

        // the activation did not keep the login it could not store: the stored token is still the current one
        Assert.NotNull(await grain.GetAccessAsync(first));
        Assert.Null(await grain.GetAccessAsync(second));
        var third = Guid.NewGuid();
        await grain.LoginAsync(Attempt(request.Password, third)); // and the grain writes again once the database does
        Assert.NotNull(await grain.GetAccessAsync(third));
    }

    private static LoginAttempt Attempt(string password, Guid? token = null) => new(password, null, "127.0.0.1", LoginChannel.Web, token);
}
