using ConferenceDemo.Webhooks;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace ConferenceDemo.Bench;

/// <summary>What one remembered webhook event id costs in the in-memory inbox, in managed bytes.</summary>
internal static class InboxMemory
{
    public static async Task RunAsync(BenchContext bench)
    {
        const int ids = 200_000;
        var options = Options.Create(new WebhookOptions { DedupeHours = 24, DedupeCapacity = ids * 2 });
        var keys = Enumerable.Range(0, ids).Select(_ => Guid.NewGuid().ToString()).ToArray(); // made first: not counted

        var before = GC.GetTotalMemory(forceFullCollection: true);
        var inbox = new InMemoryWebhookInbox(options, TimeProvider.System, NullLogger<InMemoryWebhookInbox>.Instance);
        foreach (var key in keys)
        {
            if (!await inbox.TryAcceptAsync(key))
            {
                throw new InvalidOperationException("a fresh event id was taken for a repeat");
            }
        }

        var after = GC.GetTotalMemory(forceFullCollection: true);
        if (inbox.Count != ids)
        {
            throw new InvalidOperationException($"the inbox holds {inbox.Count} ids, not {ids}");
        }

        GC.KeepAlive(inbox);
        GC.KeepAlive(keys);
        bench.Report.Add("Memory", $"one remembered webhook event id (in-memory inbox, {ids:N0} ids, managed bytes)",
            $"{(after - before) / (double)ids:0} B", "–");
    }
}
