using ConferenceDemo.Hosting;
using ConferenceDemo.Tests.Infrastructure;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace ConferenceDemo.Tests.Hosting;

public sealed class ConnectionLimitTests
{
    [Fact]
    public async Task Kestrel_HoldsAtMostTheDefaultNumberOfConnections()
    {
        await using var app = new ConferenceDemoApplication();

        var kestrel = app.Services.GetRequiredService<IOptions<KestrelServerOptions>>().Value;

        Assert.Equal(SettingsExtensions.DefaultMaxConcurrentConnections, kestrel.Limits.MaxConcurrentConnections);
    }
}
