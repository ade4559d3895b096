namespace ConferenceDemo.Bench;

/// <summary>
/// Signed webhooks with fresh event ids, for each store: saturation (32 connections, closed loop), server CPU per
/// webhook from /proc, and latency at a fixed 1,000 webhooks/s (open loop, from when each request was due). The bare
/// endpoint first, as the floor, then the Node.js reference (bench/node-reference), the mark to beat twice over.
/// </summary>
internal static class Ingest
{
    private const int Rooms = 100;

    private static readonly string[] Lifecycle = ["call.initiated", "call.answered", "conference.participant.joined", "conference.participant.left", "call.hangup"];

    public static async Task RunAsync(BenchContext bench)
    {
        var seconds = bench.Options.Seconds;
        var saturationCount = bench.Options.Quick ? 3000 : 120_000;
        SignedRequest[] Stateless(int count) => Ingest.Stateless(bench, count);

        SignedRequest[] Lives(int count) => Ingest.Lives(bench, count);

        await using (var bare = await ServerProcess.StartAsync(bench.BenchDll, ["--bare"], new Dictionary<string, string>()))
        using (var load = new LoadGenerator(new Uri(bare.BaseUrl, "/telnyx-conf-v2/start"), 32))
        {
            await load.SaturateAsync(Lives(saturationCount / 4), 16, bench.Options.Warmup);
            var (rate, _) = await load.SaturateAsync(Stateless(saturationCount), 32, TimeSpan.FromSeconds(seconds));
            var fixedRate = await load.FixedRateAsync(Stateless(seconds * 1000), 1000);
            bench.Report.Reference = (rate, fixedRate);
            bench.Report.Add("Webhook ingest", "bare ASP.NET Core endpoint (reads the body, answers 200): saturation; at 1,000 req/s",
                $"{rate:0} req/s; {fixedRate.Summary}", "–");
        }

        if (NodeReference(bench) is { } script)
        {
            await using var node = await ServerProcess.StartProgramAsync("node", [script], new Dictionary<string, string>());
            using var load = new LoadGenerator(new Uri(node.BaseUrl, "/telnyx-conf-v2/start"), 32);
            await load.SaturateAsync(Lives(saturationCount / 4), 16, bench.Options.Warmup);
            var cpu = node.CpuTime();
            var (rate, saturated) = await load.SaturateAsync(Stateless(saturationCount), 32, TimeSpan.FromSeconds(seconds));
            var cpuPerWebhook = (node.CpuTime() - cpu).TotalMicroseconds / (rate * seconds);
            var fixedRate = await load.FixedRateAsync(Stateless(seconds * 1000), 1000);
            ThrowOnErrors(saturated, fixedRate);
            bench.Report.NodeRate = rate;
            bench.Report.Add("Webhook ingest", $"Node.js reference (bench/node-reference: Express 4 and its JSON parser, as the Node demo; no signature check; "
                + $"node {Repository.Run("node", ["--version"])}): saturation; CPU per webhook; at 1,000 req/s", $"{rate:0} req/s; {cpuPerWebhook:0} µs; {fixedRate.Summary}", "–");
        }

        foreach (var store in bench.Stores)
        {
            await using var server = await bench.StartServerAsync(store);
            using var load = new LoadGenerator(new Uri(server.BaseUrl, "/telnyx-conf-v2/start"), 32);
            // Warm-up: long enough for tiered compilation to settle (a 1 s warm-up measured half the steady throughput).
            await load.SaturateAsync(Lives(saturationCount / 4), 16, bench.Options.Warmup);
            await bench.Telnyx.QuietAsync();

            var workloads = new (string, Func<int, SignedRequest[]>)[]
            {
                ("signed call.speak.started (no state change)", Stateless),
                ("one call's life: initiated, answered, joined, left, hangup, over 100 rooms", Lives),
            };
            foreach (var (what, make) in bench.Options.Quick ? workloads[1..] : workloads) // --quick: the one that reaches the store
            {
                var cpu = server.CpuTime();
                var (rate, saturated) = await load.SaturateAsync(make(saturationCount), 32, TimeSpan.FromSeconds(seconds));
                var cpuPerWebhook = (server.CpuTime() - cpu).TotalMicroseconds / (rate * seconds);
                await bench.Telnyx.QuietAsync(); // the saturated run's commands drain before pacing
                var fixedRate = await load.FixedRateAsync(make(seconds * 1000), 1000);
                bench.Report.Ingest($"{store.Name}, {what}", rate, saturated, fixedRate, cpuPerWebhook);
                ThrowOnErrors(saturated, fixedRate);
            }
        }
    }

    /// <summary><paramref name="count"/> signed call.speak.started of new legs: webhooks that change no state.</summary>
    public static SignedRequest[] Stateless(BenchContext bench, int count)
    {
        var first = bench.Calls(count);
        return bench.Events.MakeMany(count, i => bench.Events.Make("call.speak.started", first + i));
    }

    /// <summary>
    /// <paramref name="count"/> webhooks of new calls' lives (initiated, answered, joined, left, hangup), each call
    /// dialing one of 100 rooms (call n the room n mod 100), so the figure is the server's, not one room's.
    /// </summary>
    public static SignedRequest[] Lives(BenchContext bench, int count)
    {
        var first = bench.Calls(count / 5 + 1);
        return bench.Events.MakeMany(count, i => bench.Events.Make(Lifecycle[i % 5], first + (i / 5), to: SignedEvents.RoomNumber((first + (i / 5)) % Rooms)));
    }

    /// <summary>
    /// bench/node-reference/server.js with its packages installed (npm ci, once), or null (and a note) when this
    /// machine has no node or npm.
    /// </summary>
    private static string? NodeReference(BenchContext bench)
    {
        var folder = Path.Combine(bench.Root, "bench", "node-reference");
        if (!Repository.Has("node") || !Repository.Has("npm"))
        {
            bench.Report.Note("node or npm is not on this machine: no Node.js reference row, and no ratio to it");
            return null;
        }

        if (!Directory.Exists(Path.Combine(folder, "node_modules")))
        {
            Repository.Run("npm", ["ci", "--no-audit", "--no-fund"], folder);
        }

        return Path.Combine(folder, "server.js");
    }

    /// <summary>A webhook answered with an error means the measurement measured something else: the part fails.</summary>
    public static void ThrowOnErrors(params Latencies[] runs)
    {
        if (runs.Sum(r => r.Errors) is > 0 and var errors)
        {
            throw new InvalidOperationException($"{errors} webhooks were not answered 2xx");
        }
    }
}
