using ConferenceDemo.Rooms.Processing;
using ConferenceDemo.Storage;
using ConferenceDemo.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using static ConferenceDemo.Tests.Infrastructure.TelnyxWebhooks;

namespace ConferenceDemo.Tests.Storage;

/// <summary>The housekeeping job of the running server: the dedupe window is Webhooks:DedupeHours, on the server's clock.</summary>
public sealed class HousekeepingTests : IAsyncLifetime
{
    private readonly ConferenceDemoApplication _app = new();

    public Task InitializeAsync()
    {
        // The fake clock fires the job's own timer as it advances: once a day at most, so each test's run is the one counted.
        _app.Settings["Storage:HousekeepingMinutes"] = "1440";
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await _app.DisposeAsync();

    private StorageExtensions.Housekeeping Job() =>
        _app.Services.GetServices<IHostedService>().OfType<StorageExtensions.Housekeeping>().Single();

    [Fact]
    public async Task AppliedEventIds_AreForgottenAfterTheDedupeWindow_NotBefore()
    {
        _app.Settings["Webhooks:DedupeHours"] = "2";
        var initiated = Initiated("v3:ccid-A");
        await _app.DeliverAsync(initiated);
        var id = System.Text.Json.Nodes.JsonNode.Parse(initiated)!["data"]!["id"]!.GetValue<string>();
        var journal = _app.Services.GetRequiredService<IRoomJournal>();
        var entry = new InboxEntry(id, "myconf", new ConferenceDemo.Rooms.CallHungUp("v3:ccid-A", null), _app.Clock.GetUtcNow());

        _app.Clock.Advance(TimeSpan.FromHours(1));
        Assert.Equal(0, (await Job().RunOnceAsync(default)).Events);
        Assert.False(await journal.TryAddAsync(entry));

        _app.Clock.Advance(TimeSpan.FromHours(1.5));
        Assert.Equal(1, (await Job().RunOnceAsync(default)).Events);
        Assert.True(await journal.TryAddAsync(entry));
    }
}
