using Npgsql;
using StackExchange.Redis;
using Vdi.Tests.Fixtures;

namespace Vdi.Tests.Security;

/// <summary>
/// Issue 14 §1: the stores authenticate the broker, and the broker holds no more than it needs. The broker's Postgres
/// role (the one every test process connects as) reads and writes rows and may do nothing else; Redis asks a password.
/// </summary>
public sealed class StoreCredentialsTests
{
    [Fact]
    public async Task The_brokers_postgres_role_is_no_superuser_and_cannot_change_the_schema()
    {
        await using var connection = new NpgsqlConnection(TestServices.PostgresConnectionString);
        await connection.OpenAsync();
        await using (var who = new NpgsqlCommand("select current_user, rolsuper, rolcreatedb, rolcreaterole from pg_roles where rolname = current_user", connection))
        await using (var reader = await who.ExecuteReaderAsync())
        {
            Assert.True(await reader.ReadAsync());
            Assert.Equal(("vdi_broker", false, false, false), (reader.GetString(0), reader.GetBoolean(1), reader.GetBoolean(2), reader.GetBoolean(3)));
        }

        foreach (var ddl in new[] { "create table vdi_intruder (id int)", "drop table vdi_journal", "alter table vdi_users add column x int", "create role intruder" })
        {
            await using var command = new NpgsqlCommand(ddl, connection);
            var refused = await Assert.ThrowsAsync<PostgresException>(() => command.ExecuteNonQueryAsync());
            Assert.Equal(PostgresErrorCodes.InsufficientPrivilege, refused.SqlState);
        }

        // and what it is for: rows of the broker's tables
        await using var read = new NpgsqlCommand("select count(*) from vdi_users", connection);
        Assert.True((long)(await read.ExecuteScalarAsync())! >= 0);
    }

    [Fact]
    public async Task Redis_refuses_a_client_without_the_password()
    {
        var options = ConfigurationOptions.Parse(TestServices.RedisConnectionString);
        Assert.False(string.IsNullOrEmpty(options.Password));
        var endpoint = options.EndPoints[0];

        // the protocol itself, as any process on the machine would speak it
        using var tcp = new System.Net.Sockets.TcpClient();
        await (endpoint switch
        {
            System.Net.IPEndPoint ip => tcp.ConnectAsync(ip.Address, ip.Port),
            System.Net.DnsEndPoint dns => tcp.ConnectAsync(dns.Host, dns.Port),
            _ => throw new InvalidOperationException($"unexpected Redis endpoint {endpoint}"),
        });
        await using var stream = tcp.GetStream();
        await stream.WriteAsync("PING\r\n"u8.ToArray());
        var buffer = new byte[256];
        var read = await stream.ReadAsync(buffer);
        Assert.StartsWith("-NOAUTH", System.Text.Encoding.ASCII.GetString(buffer, 0, read));

        await using var broker = await ConnectionMultiplexer.ConnectAsync(options); // with the password: served
        Assert.True((await broker.GetDatabase().PingAsync()) >= TimeSpan.Zero);
    }
}
