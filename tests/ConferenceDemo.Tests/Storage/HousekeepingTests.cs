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

    public Task InitializeAsync() => Task.CompletedTask;

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

    [Fact]
    public async Task AnsweredCommands_AreForgottenAfterADay()
    {
        await _app.DeliverAsync(Initiated("v3:ccid-A")); // answer: sent and answered
        var journal = _app.Services.GetRequiredService<IRoomJournal>();
        Assert.Empty(await journal.UnansweredAsync());

        _app.Clock.Advance(TimeSpan.FromHours(23));
        Assert.Equal(0, (await Job().RunOnceAsync(default)).Commands);
        _app.Clock.Advance(TimeSpan.FromHours(2));
        Assert.Equal(1, (await Job().RunOnceAsync(default)).Commands);
    }
}
