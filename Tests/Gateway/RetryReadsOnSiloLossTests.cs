using Microsoft.AspNetCore.Http;
using Vdi.WebGateway.Hosting;

namespace Vdi.Tests.Gateway;

/// <summary>Reads in flight to a dead silo are repeated; writes are not (they are a 503 the client decides on).</summary>
public sealed class RetryReadsOnSiloLossTests
{
    private static async Task<(object? Result, int Calls)> RunAsync(string method, int failures, Exception failure)
    {
        var http = new DefaultHttpContext();
        http.Request.Method = method;
        var calls = 0;
        EndpointFilterDelegate next = _ =>
        {
            calls++;
            return calls <= failures ? throw failure : ValueTask.FromResult<object?>("answer");
        };
        var result = await new RetryReadsOnSiloLoss().InvokeAsync(new DefaultEndpointFilterInvocationContext(http), next);
        return (result, calls);
    }

    [Fact]
    public async Task A_read_whose_silo_died_is_answered_by_the_next_attempt()
    {
        var (result, calls) = await RunAsync("GET", failures: 1, new SiloUnavailableException());
        Assert.Equal("answer", result);
        Assert.Equal(2, calls);
    }

    [Fact]
    public async Task Retries_are_bounded_and_writes_are_never_repeated()
    {
        await Assert.ThrowsAsync<SiloUnavailableException>(() => RunAsync("GET", failures: 10, new SiloUnavailableException()));
        var write = await Assert.ThrowsAsync<SiloUnavailableException>(() => RunAsync("POST", failures: 1, new SiloUnavailableException()));
        Assert.NotNull(write);
        await Assert.ThrowsAsync<InvalidOperationException>(() => RunAsync("GET", failures: 1, new InvalidOperationException("a bug is not repeated")));
    }
}
