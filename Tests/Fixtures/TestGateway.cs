using Microsoft.AspNetCore.Builder;

namespace Vdi.Tests.Fixtures;

/// <summary>
/// A gateway a test started on its own: disposing it stops it first. A WebApplication disposed without being stopped
/// disposes its Orleans client with its connections still open; a stream message arriving then is answered on a
/// thread-pool thread by the disposed client, and that ObjectDisposedException crashed the test process.
/// </summary>
public sealed class TestGateway(WebApplication app) : IAsyncDisposable
{
    private int _stopped;

    public WebApplication App => app;

    public ICollection<string> Urls => app.Urls;

    public IServiceProvider Services => app.Services;

    public async Task StopAsync()
    {
        if (Interlocked.Exchange(ref _stopped, 1) == 0)
        {
            await app.StopAsync();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        await app.DisposeAsync();
    }
}
