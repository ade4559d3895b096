using System.Diagnostics;

namespace ConferenceDemo.Bench;

/// <summary>
/// New callers spread over 100 rooms at 10, 100 and 300 a second, for each store: from the call.answered webhook
/// sent to the moment the fake Telnyx has both the caller's greeting (speak) and seat (join).
/// </summary>
internal static class EventToCommand
{
    public const int Rooms = 100;

    public static async Task RunAsync(BenchContext bench)
    {
        var events = bench.Events;
        foreach (var store in bench.Stores)
        {
            await using var server = await bench.StartServerAsync(store);
            using var load = new LoadGenerator(new Uri(server.BaseUrl, "/telnyx-conf-v2/start"), 64);

            // Open every room (its first caller creates the conference) and warm the paths; the backlog drains
            // before measuring, since events are applied behind the webhook answer.
            var openers = bench.Calls(Rooms * 3);
            await load.FixedRateAsync(events.MakeMany(Rooms * 3, i => events.Make("call.answered", openers + i, to: SignedEvents.RoomNumber(i % Rooms))), 200);
            await bench.Telnyx.QuietAsync();

            foreach (var perSecond in new[] { 10, 100, 300 })
            {
                var count = perSecond * bench.Options.Seconds;
                var first = bench.Calls(count);
                var answered = events.MakeMany(count, i => events.Make("call.answered", first + i, to: SignedEvents.RoomNumber(i % Rooms)));
                var sentAt = new long[count];
                var answers = await load.FixedRateAsync(answered, perSecond, (i, _) => sentAt[i] = Stopwatch.GetTimestamp());
                var latencies = await bench.Telnyx.GreetedAndSeatedAsync(sentAt, i => SignedEvents.CallId(first + i));
                bench.Report.Add("Event to command", $"{store.Name}: call.answered sent to greeting and seat at Telnyx, {perSecond} new callers/s over {Rooms} rooms",
                    latencies.Summary, "p99 < 5 ms");
                Ingest.ThrowOnErrors(answers, latencies);
                await bench.Telnyx.QuietAsync();
            }
        }
    }
}
