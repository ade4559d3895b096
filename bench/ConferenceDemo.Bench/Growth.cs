using System.Collections.Immutable;
using ConferenceDemo.Rooms;

namespace ConferenceDemo.Bench;

/// <summary>
/// The same fixed load (1,000 webhooks/s for seated legs, spread over the live rooms) with 1, 10, 100 and 1,000 live
/// rooms of 5 participants, on the in-memory store: RSS of the server, managed size of the same state built in
/// process, latency and CPU per webhook; then the least-squares slope of each against the number of rooms.
/// </summary>
internal static class Growth
{
    public const int Seats = 5;

    public static async Task RunAsync(BenchContext bench)
    {
        var steps = bench.Options.Quick ? new[] { 1, 10 } : [1, 10, 100, 1000];
        var events = bench.Events;
        await using var server = await bench.StartServerAsync(bench.Memory);
        using var load = new LoadGenerator(new Uri(server.BaseUrl, "/telnyx-conf-v2/start"), 32);

        // Warm the paths on the default room before the first step, then let the backlog drain.
        var warm = bench.Calls(bench.Options.Quick ? 400 : 2000);
        await load.SaturateAsync(events.MakeMany(bench.Options.Quick ? 2000 : 10_000, i => events.Make(i % 2 == 0 ? "call.answered" : "call.hangup", warm + i / 2)), 16, bench.Options.Warmup);
        await bench.Telnyx.QuietAsync();

        var legs = new List<(string Leg, int Room)>();
        var rows = new List<(int Rooms, double RssMiB, double ManagedKiB, Latencies Latencies, double CpuMicroseconds)>();
        foreach (var rooms in steps)
        {
            await SeatAsync(bench, load, legs, rooms);
            await Task.Delay(TimeSpan.FromSeconds(bench.Options.Quick ? 1 : 3)); // let the GC settle the heap after seating
            var rss = server.RssMiB();

            var count = bench.Options.Seconds * 1000;
            var spread = events.MakeMany(count, i => events.Make("call.speak.started", CallNumber(legs[i % legs.Count].Leg)));
            var cpu = server.CpuTime();
            var latencies = await load.FixedRateAsync(spread, 1000);
            var cpuPerWebhook = (server.CpuTime() - cpu).TotalMicroseconds / count;
            Ingest.ThrowOnErrors(latencies);
            var managed = ManagedBytes(rooms) / 1024.0;
            rows.Add((rooms, rss, managed, latencies, cpuPerWebhook));
            bench.Report.Add("Growth", $"{rooms:N0} live rooms of {Seats} ({rooms * Seats:N0} participants), 1,000 webhooks/s for their legs",
                $"RSS {rss:0.0} MiB; managed state {managed:0.0} KiB; {latencies.Summary}; CPU {cpuPerWebhook:0} µs/webhook", "flat");
            await bench.Telnyx.QuietAsync();
        }

        var x = rows.Select(r => (double)r.Rooms).ToArray();
        var rssSlope = Slope(x, rows.Select(r => r.RssMiB * 1024 * 1024).ToArray());
        var managedSlope = Slope(x, rows.Select(r => r.ManagedKiB * 1024).ToArray());
        bench.Report.Add("Growth", "slope: RSS per room (least squares over the steps)", $"{rssSlope / 1024:0.0} KiB a room, {rssSlope / Seats / 1024:0.00} KiB a participant", "–");
        bench.Report.Add("Growth", "slope: managed state per room", $"{managedSlope:0} B a room, {managedSlope / Seats:0} B a participant", "< 4 KB a participant");
        bench.Report.Add("Growth", "slope: p99 at 1,000 webhooks/s per 1,000 rooms",
            $"{Slope(x, rows.Select(r => r.Latencies.Percentile(99)).ToArray()) * 1000:+0.00;-0.00} ms", "≈ 0");
        bench.Report.Add("Growth", "slope: server CPU per webhook per 1,000 rooms",
            $"{Slope(x, rows.Select(r => r.CpuMicroseconds).ToArray()) * 1000:+0;-0} µs", "≈ 0");

        var chart = Path.Combine(bench.ReportFolder, "benchmarks-growth.svg");
        Directory.CreateDirectory(bench.ReportFolder);
        File.WriteAllText(chart, SvgChart.Render(
            "live rooms (5 participants each, log scale)",
            [
                ("RSS (MiB)", rows.Select(r => (r.Rooms * 1.0, r.RssMiB)).ToArray()),
                ("managed state (KiB)", rows.Select(r => (r.Rooms * 1.0, r.ManagedKiB)).ToArray()),
                ("p99 at 1,000 webhooks/s (ms)", rows.Select(r => (r.Rooms * 1.0, r.Latencies.Percentile(99))).ToArray()),
                ("CPU per webhook (µs)", rows.Select(r => (r.Rooms * 1.0, r.CpuMicroseconds)).ToArray()),
            ]));
        bench.Report.Figures.Add($"Growth with the number of live rooms (written by the bench beside this file):\n\n![growth]({Path.GetFileName(chart)})");
    }

    /// <summary>Seats rooms r{n} up to <paramref name="rooms"/> with 5 callers each: answered, then joined their conference.</summary>
    private static async Task SeatAsync(BenchContext bench, LoadGenerator load, List<(string Leg, int Room)> legs, int rooms)
    {
        var from = legs.Count / Seats;
        if (rooms <= from)
        {
            return;
        }

        var first = bench.Calls((rooms - from) * Seats);
        int Call(int i) => first + i;
        int RoomOf(int i) => from + (i / Seats);
        var count = (rooms - from) * Seats;
        var answered = bench.Events.MakeMany(count, i => bench.Events.Make("call.answered", Call(i), to: SignedEvents.RoomNumber(RoomOf(i))));
        // Rooms open with their first caller: the first seat of each room goes first, the other four after it.
        var creators = Enumerable.Range(0, count).Where(i => i % Seats == 0).ToArray();
        await load.FixedRateAsync([.. creators.Select(i => answered[i])], 500);
        await bench.Telnyx.QuietAsync();
        await load.FixedRateAsync([.. Enumerable.Range(0, count).Where(i => i % Seats != 0).Select(i => answered[i])], 500);
        await bench.Telnyx.QuietAsync();
        var joined = bench.Events.MakeMany(count, i => bench.Events.Make("conference.participant.joined", Call(i),
            conferenceId: SignedEvents.ConferenceOf(Call(i - (i % Seats)))));
        var answers = await load.FixedRateAsync(joined, 500);
        await bench.Telnyx.QuietAsync();
        Ingest.ThrowOnErrors(answers);

        var unseated = Enumerable.Range(0, count).Count(i => !bench.Telnyx.SeatedAt.ContainsKey(SignedEvents.CallId(Call(i))));
        if (unseated > 0)
        {
            throw new InvalidOperationException($"{unseated} of {count} callers were never seated (create or join) at the fake Telnyx");
        }

        legs.AddRange(Enumerable.Range(0, count).Select(i => (SignedEvents.CallId(Call(i)), RoomOf(i))));
    }

    private static int CallNumber(string leg) => int.Parse(leg.AsSpan(leg.LastIndexOf('-') + 1), System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>
    /// Managed bytes of <paramref name="rooms"/> live rooms of 5, strings included, built with the server's own types
    /// as the server builds them from webhooks (a call_control_id of Telnyx's length, an E.164 number).
    /// </summary>
    public static double ManagedBytes(int rooms)
    {
        static Room[] Build(int count)
        {
            var built = new Room[count];
            for (var r = 0; r < count; r++)
            {
                var participants = ImmutableList.CreateBuilder<Participant>();
                for (var i = 0; i < Seats; i++)
                {
                    // Telnyx call_control_ids look like "v3:" + 52 URL-safe characters.
                    var leg = ("v3:" + Convert.ToBase64String([.. Guid.NewGuid().ToByteArray(), .. Guid.NewGuid().ToByteArray(), .. Guid.NewGuid().ToByteArray()]))[..55];
                    participants.Add(new Participant(leg, new string(SignedEvents.Number(r * Seats + i))) { Status = ParticipantStatus.InRoom });
                }

                built[r] = Room.Create($"r{r}", Guid.NewGuid()) with
                {
                    Phase = ConferencePhase.Live,
                    ConferenceId = Guid.NewGuid().ToString(),
                    Participants = participants.ToImmutable(),
                };
            }

            return built;
        }

        var before = GC.GetTotalMemory(forceFullCollection: true);
        var built = Build(rooms);
        var after = GC.GetTotalMemory(forceFullCollection: true);
        GC.KeepAlive(built);
        return after - before;
    }

    /// <summary>Least-squares slope of <paramref name="y"/> on <paramref name="x"/>.</summary>
    public static double Slope(double[] x, double[] y)
    {
        var mx = x.Average();
        var my = y.Average();
        var den = x.Sum(v => (v - mx) * (v - mx));
        return den == 0 ? 0 : x.Zip(y, (a, b) => (a - mx) * (b - my)).Sum() / den;
    }
}
