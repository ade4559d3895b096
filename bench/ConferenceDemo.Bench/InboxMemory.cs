using ConferenceDemo.Rooms;
using ConferenceDemo.Rooms.Processing;
using ConferenceDemo.Storage.InMemory;

namespace ConferenceDemo.Bench;

/// <summary>What one accepted webhook event costs in the in-memory store's inbox (id, room, input), in managed bytes.</summary>
internal static class InboxMemory
{
    public static async Task RunAsync(BenchContext bench)
    {
        const int ids = 200_000;
        var keys = Enumerable.Range(0, ids).Select(_ => Guid.NewGuid().ToString()).ToArray(); // made first: not counted
        var input = new CallHungUp("v3:bench-leg", "normal_clearing");
        var at = DateTimeOffset.UtcNow;

        var before = GC.GetTotalMemory(forceFullCollection: true);
        var store = new InMemoryRoomStore();
        foreach (var key in keys)
        {
            if (!await store.TryAddAsync(new InboxEntry(key, "myconf", input, at)))
            {
                throw new InvalidOperationException("a fresh event id was taken for a repeat");
            }
        }

        var after = GC.GetTotalMemory(forceFullCollection: true);
        GC.KeepAlive(store);
        GC.KeepAlive(keys);
        bench.Report.Add("Memory", $"one remembered webhook event (in-memory store's inbox, {ids:N0} events, managed bytes)",
            $"{(after - before) / (double)ids:0} B", "–");
    }
}
