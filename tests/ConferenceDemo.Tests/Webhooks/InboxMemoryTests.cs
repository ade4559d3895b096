using ConferenceDemo.Tests.Infrastructure;
using ConferenceDemo.Webhooks;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace ConferenceDemo.Tests.Webhooks;

/// <summary>The README's figure for what a remembered event id costs, measured rather than assumed.</summary>
public sealed class InboxMemoryTests(Xunit.Abstractions.ITestOutputHelper output)
{
    [Fact]
    public async Task ARememberedEventId_CostsAbout90Bytes()
    {
        const int Ids = 200_000;
        var clock = new TestClock(DateTimeOffset.FromUnixTimeSeconds(1_800_000_000));
        var ids = Enumerable.Range(0, Ids).Select(_ => Guid.NewGuid().ToString()).ToArray();
        var before = GC.GetTotalMemory(forceFullCollection: true);

        var inbox = new InMemoryWebhookInbox(Options.Create(new WebhookOptions { DedupeCapacity = Ids + 1 }), clock,
            NullLogger<InMemoryWebhookInbox>.Instance);
        foreach (var id in ids)
        {
            Assert.True(await inbox.TryAcceptAsync(id));
        }

        var after = GC.GetTotalMemory(forceFullCollection: true);
        var perId = (after - before) / (double)Ids;
        GC.KeepAlive(inbox);
        GC.KeepAlive(ids);
        output.WriteLine($"{perId:0} bytes per remembered id ({Ids} ids)");

        // The ids' strings were allocated before the first measurement; what remains is the inbox's own cost
        // (about 90 bytes here: a dictionary entry and a queue slot, in tables that grow by doubling).
        Assert.InRange(perId, 40, 130);
    }
}
