using Microsoft.Extensions.Time.Testing;
using Vdi.Grains.Controllers;
using Vdi.Grains.Controllers.Ecp;
using Vdi.Grains.Interfaces.Controllers;

namespace Vdi.Tests.Controllers;

/// <summary>What a controller's registration must satisfy, and the resource cache, without a cluster.</summary>
public sealed class ControllerRulesTests
{
    [Theory]
    [InlineData(null, "verbose_name")]
    [InlineData("   ", "verbose_name")]
    public void A_name_is_1_to_128_characters(string? name, string field)
    {
        Assert.Equal(field, Assert.Throws<BrokerException>(() => ControllerRules.Name(name)).Field);
        Assert.Equal(field, Assert.Throws<BrokerException>(() => ControllerRules.Name(new string('x', 129))).Field);
        Assert.Equal("ECP-1", ControllerRules.Name("  ECP-1 "));
    }

    [Fact]
    public void The_token_may_carry_the_jwt_prefix_but_no_spaces_and_is_bounded()
    {
        Assert.Equal("abc.def", ControllerRules.Token("jwt abc.def"));
        Assert.Equal("abc.def", ControllerRules.Token("  JWT   abc.def "));
        var spaced = Assert.Throws<BrokerException>(() => ControllerRules.Token("abc def"));
        Assert.Equal((ErrorKind.Invalid, "token"), (spaced.Kind, spaced.Field));
        Assert.Throws<BrokerException>(() => ControllerRules.Token(new string('t', ControllerRules.TokenLimit + 1)));
        Assert.Throws<BrokerException>(() => ControllerRules.Token(""));
    }

    [Fact]
    public void Addresses_and_descriptions_are_checked_with_their_field_named()
    {
        Assert.Equal("address", Assert.Throws<BrokerException>(() => ControllerRules.Address("not a url")).Field);
        Assert.Equal("description", Assert.Throws<BrokerException>(() => ControllerRules.Description(new string('d', 257))).Field);
        Assert.Equal("", ControllerRules.Description(null));
    }

    [Theory]
    [InlineData("4.3", true)]
    [InlineData("4.7.3", true)]
    [InlineData("4.2.9", false)]
    [InlineData("not-a-version", false)]
    public void Versions_older_than_the_minimum_are_unsupported(string reported, bool supported)
    {
        var minimum = new Version(4, 3);
        if (supported)
        {
            Assert.Equal(reported, ControllerRules.Version(reported, minimum));
        }
        else
        {
            Assert.Equal(ErrorKind.UnsupportedVersion, Assert.Throws<BrokerException>(() => ControllerRules.Version(reported, minimum)).Kind);
        }
    }

    [Theory]
    [InlineData(EcpErrorKind.Unauthorized, ErrorKind.TokenRejected, "token")]
    [InlineData(EcpErrorKind.Unreachable, ErrorKind.ControllerUnreachable, "address")]
    [InlineData(EcpErrorKind.ServerError, ErrorKind.ControllerUnreachable, "address")]
    [InlineData(EcpErrorKind.NotFound, ErrorKind.ControllerUnreachable, "address")]
    public void A_failed_version_check_says_which_field_to_fix(EcpErrorKind failure, ErrorKind kind, string field)
    {
        var e = ControllerRules.VersionFailure(new EcpException(failure, "boom"));
        Assert.Equal((kind, field), (e.Kind, e.Field));
    }

    [Fact]
    public void Resource_lists_are_cached_for_their_ttl_only()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UnixEpoch);
        var cache = new ResourceCache(time);
        IReadOnlyList<ControllerResource> nodes = [new(Guid.NewGuid(), "node-1", "ACTIVE", new Dictionary<string, string>())];
        Assert.False(cache.TryGet(ResourceKind.Nodes, TimeSpan.FromSeconds(10), out _));
        cache.Put(ResourceKind.Nodes, nodes);
        Assert.True(cache.TryGet(ResourceKind.Nodes, TimeSpan.FromSeconds(10), out var hit));
        Assert.Same(nodes, hit);
        Assert.False(cache.TryGet(ResourceKind.Clusters, TimeSpan.FromSeconds(10), out _));
        time.Advance(TimeSpan.FromSeconds(10));
        Assert.False(cache.TryGet(ResourceKind.Nodes, TimeSpan.FromSeconds(10), out _));
        cache.Put(ResourceKind.Nodes, nodes);
        cache.Clear();
        Assert.False(cache.TryGet(ResourceKind.Nodes, TimeSpan.FromSeconds(10), out _));
    }
}
