using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using ConferenceDemo.Bench;
using ConferenceDemo.Rooms;
using ConferenceDemo.Webhooks;

// `dotnet run -c Release --project bench/ConferenceDemo.Bench` measures the server and writes docs/benchmarks.md.
// `... -- --bare --urls URL` is the reference server the run starts: read the body, answer 200.
if (args.Contains("--bare"))
{
    var bare = WebApplication.CreateSlimBuilder([.. args.Where(a => a != "--bare")]);
    bare.Logging.ClearProviders();
    var app = bare.Build();
    app.MapPost("/telnyx-conf-v2/start", async (HttpContext context) =>
    {
        using var buffer = new MemoryStream();
        await context.Request.Body.CopyToAsync(buffer);
        return Results.Ok();
    });
    app.MapGet("/healthz", () => "Healthy");
    app.Run();
    return 0;
}

var root = Repository.Root();
var quick = args.Contains("--quick"); // a short run to check the bench itself
var seconds = quick ? 2 : 10;
var logLevel = args.SkipWhile(a => a != "--log-level").Skip(1).FirstOrDefault(); // e.g. Warning: what logging costs
var only = args.SkipWhile(a => a != "--only").Skip(1).FirstOrDefault(); // ingest, event or memory: one part, for a look (no report)
bool Runs(string part) => only is null || only == part;
var report = new Report(root);
Console.WriteLine($"ConferenceDemo benchmark: {report.Machine}");

// 1. The server, built in Release as the Dockerfile builds it.
var publish = Path.Combine(root, "bench", ".out", "server");
Repository.Run("dotnet", ["publish", Path.Combine(root, "src", "ConferenceDemo", "ConferenceDemo.csproj"), "-c", "Release", "-o", publish, "--nologo", "-v", "q"]);
var serverDll = Path.Combine(publish, "ConferenceDemo.dll");
var benchDll = typeof(Report).Assembly.Location;

// 2. In-process figures: one signature check; the state one participant costs.
report.Add("Verification", "Ed25519 check of a 1 KiB webhook (the server's, NSec), best of 5 x 5,000", $"{Measure.VerifyMicroseconds():0.0} µs", "–");
report.Add("Verification", "the same check with BouncyCastle (the server's before NSec; reference only)", $"{Measure.VerifyBouncyCastleMicroseconds():0.0} µs", "–");
var roomBytes = Measure.RoomBytesPerParticipant(800);
report.Add("Memory", "conference state per participant (managed bytes, 800 in one room)", $"{roomBytes:0} B", "< 4 KB");

var events = new SignedEvents(Path.Combine(root, "tests", "ConferenceDemo.Tests", "Fixtures", "webhooks"));
await using var telnyx = await FakeTelnyx.StartAsync();
var environment = new Dictionary<string, string>
{
    ["TELNYX_API_KEY"] = "bench-key",
    ["TELNYX_BASE_URL"] = telnyx.BaseUrl,
    ["TELNYX_PUBLIC_KEY"] = events.PublicKeyBase64,
    ["TELNYX_PHONE_NUMBER"] = "+15559990000",
    ["TELNYX_CONNECTION_ID"] = "1234567890",
    ["CONTROL_TOKEN"] = "bench-control-token-0123456789",
    ["Webhooks__DedupeCapacity"] = "2000000",
};
if (logLevel is not null)
{
    environment["Serilog__MinimumLevel__Default"] = logLevel;
    report.Settings = $"Serilog__MinimumLevel__Default={logLevel}";
}

// --server-env NAME=VALUE (repeatable): run the server with a variable set, e.g. DOTNET_gcServer=0.
foreach (var pair in args.Select((a, i) => (a, i)).Where(p => p.a == "--server-env").Select(p => args[p.i + 1]))
{
    environment[pair[..pair.IndexOf('=', StringComparison.Ordinal)]] = pair[(pair.IndexOf('=', StringComparison.Ordinal) + 1)..];
    report.Settings += $", {pair}";
}

// 3. Webhook ingest: a signed event that changes nothing, and one call's life; the bare endpoint for reference.
var stateless = events.MakeMany(quick ? 20_000 : 120_000, i => events.Make("call.speak.started", i));
var paced = events.MakeMany(seconds * 1000, i => events.Make("call.speak.started", 1_000_000 + i));
var lifecycle = new[] { "call.initiated", "call.answered", "conference.participant.joined", "conference.participant.left", "call.hangup" };
var mix = events.MakeMany(quick ? 20_000 : 100_000, i => events.Make(lifecycle[i % 5], 2_000_000 + (i / 5)));
var pacedMix = events.MakeMany(seconds * 1000, i => events.Make(lifecycle[i % 5], 3_000_000 + (i / 5)));
// Warm-up: long enough for tiered compilation to settle (a 1 s warm-up measured half the steady throughput).
var warmup = events.MakeMany(quick ? 10_000 : 30_000, i => events.Make(lifecycle[i % 5], 4_000_000 + (i / 5)));
var warmupTime = TimeSpan.FromSeconds(quick ? 2 : 5);

if (Runs("ingest"))
{
await using (var bare = await ServerProcess.StartAsync(benchDll, ["--bare"], new Dictionary<string, string>()))
using (var load = new LoadGenerator(new Uri(bare.BaseUrl, "/telnyx-conf-v2/start"), 32))
{
    await load.SaturateAsync(warmup, 16, warmupTime);
    var (rate, _) = await load.SaturateAsync(stateless, 32, TimeSpan.FromSeconds(seconds));
    var fixedRate = await load.FixedRateAsync(paced, 1000);
    report.Reference = (rate, fixedRate);
    Console.WriteLine($"bare endpoint: {rate:0} req/s; at 1,000 req/s {fixedRate.Summary}");
}

await using (var server = await ServerProcess.StartAsync(serverDll, [], environment))
using (var load = new LoadGenerator(new Uri(server.BaseUrl, "/telnyx-conf-v2/start"), 32))
{
    await load.SaturateAsync(warmup, 16, warmupTime);
    var cpu = Measure.CpuTime(server);
    var (rate, saturated) = await load.SaturateAsync(stateless, 32, TimeSpan.FromSeconds(seconds));
    var cpuPerRequest = (Measure.CpuTime(server) - cpu).TotalMilliseconds * 1000 / (rate * seconds);
    var fixedRate = await load.FixedRateAsync(paced, 1000);
    report.Ingest("signed call.speak.started (no state change)", rate, saturated, fixedRate, cpuPerRequest);

    cpu = Measure.CpuTime(server);
    (rate, saturated) = await load.SaturateAsync(mix, 32, TimeSpan.FromSeconds(seconds));
    cpuPerRequest = (Measure.CpuTime(server) - cpu).TotalMilliseconds * 1000 / (rate * seconds);
    await Task.Delay(1000); // let the commands of the saturated run drain before pacing
    fixedRate = await load.FixedRateAsync(pacedMix, 1000);
    report.Ingest("one call's life: initiated, answered, joined, left, hangup", rate, saturated, fixedRate, cpuPerRequest);
}
}

// 4. Event to command: call.answered sent -> the join (or create) reaches Telnyx.
if (Runs("event"))
{
await using (var server = await ServerProcess.StartAsync(serverDll, [], environment))
using (var load = new LoadGenerator(new Uri(server.BaseUrl, "/telnyx-conf-v2/start"), 64))
{
    await Task.Delay(2000);
    report.Add("Memory", "RSS of the server, started and idle", $"{server.RssMiB():0.0} MiB", "< 100 MB");

    await load.SendAsync(events.Make("call.answered", 5_000_000)); // opens the conference
    await load.SaturateAsync(warmup, 8, TimeSpan.FromSeconds(1));
    await Measure.QuietAsync(telnyx); // the warm-up's events are applied behind the webhook answers: let them drain
    foreach (var (perSecond, count) in new[] { (1.0, quick ? 5 : 30), (100.0, quick ? 200 : 1000) })
    {
        var first = 5_100_000 + (int)perSecond * 10_000;
        var answered = events.MakeMany(count, i => events.Make("call.answered", first + i));
        var sentAt = new long[count];
        await load.FixedRateAsync(answered, perSecond, (i, due) => sentAt[i] = Stopwatch.GetTimestamp());
        var latencies = await Measure.SeatLatenciesAsync(telnyx, sentAt, i => SignedEvents.CallId(first + i));
        report.Add("Event to command", $"call.answered to join at Telnyx, {perSecond:0} call/s ({count} calls)",
            $"p50 {latencies.Percentile(50):0.00} ms, p99 {latencies.Percentile(99):0.00} ms, max {latencies.Max:0.00} ms", "p99 < 5 ms");
        if (only is not null)
        {
            Console.WriteLine("  samples (ms): " + string.Join(" ", Enumerable.Range(0, Math.Min(count, 40)).Select(i =>
                telnyx.SeatedAt.TryGetValue(SignedEvents.CallId(first + i), out var t) ? $"{(t - sentAt[i]) * 1000.0 / Stopwatch.Frequency:0.0}" : "x")));
        }

        var toSpeak = new Latencies();
        var speakToJoin = new Latencies();
        for (var i = 0; i < count; i++)
        {
            var id = SignedEvents.CallId(first + i);
            if (telnyx.SpokenAt.TryGetValue(id, out var spoken) && telnyx.SeatedAt.TryGetValue(id, out var seated))
            {
                toSpeak.Add((spoken - sentAt[i]) * 1000.0 / Stopwatch.Frequency);
                speakToJoin.Add((seated - spoken) * 1000.0 / Stopwatch.Frequency);
            }
        }

        report.Add("Event to command", $"  of which: webhook sent to speak at Telnyx, {perSecond:0} call/s",
            $"p50 {toSpeak.Percentile(50):0.00} ms, p99 {toSpeak.Percentile(99):0.00} ms", "–");
        report.Add("Event to command", $"  of which: speak to join at Telnyx (the two are sent together), {perSecond:0} call/s",
            $"p50 {speakToJoin.Percentile(50):0.00} ms, p99 {speakToJoin.Percentile(99):0.00} ms", "–");
    }
}

}

// 5. Memory with one full conference: 800 participants, Telnyx's maximum. The first 100 also warm the code paths
//    (JIT, connection pools, buffers), so the growth from 100 to 800 is what participants cost.
if (Runs("memory"))
{
await using (var server = await ServerProcess.StartAsync(serverDll, [], environment))
using (var load = new LoadGenerator(new Uri(server.BaseUrl, "/telnyx-conf-v2/start"), 16))
{
    await Task.Delay(2000);
    var idle = server.RssMiB();
    async Task<double> SeatAsync(int from, int count)
    {
        var seats = events.MakeMany(count * 2, i => events.Make(i % 2 == 0 ? "call.answered" : "conference.participant.joined", from + (i / 2)));
        await load.FixedRateAsync(seats, 400);
        await Measure.QuietAsync(telnyx);
        await Task.Delay(2000);
        return server.RssMiB();
    }

    var warm = await SeatAsync(6_000_000, 100);
    var full = await SeatAsync(6_000_100, 700);
    report.Add("Memory", "RSS with one conference of 800 participants", $"{full:0.0} MiB (idle {idle:0.0} MiB; 100 participants {warm:0.0} MiB)", "–");
    report.Add("Memory", "RSS change from 100 to 800 participants (700 x the managed figure would be "
        + $"{700 * roomBytes / 1024:0} KiB: below what RSS resolves)", $"{full - warm:+0.0;-0.0} MiB ({(full - warm) * 1024 * 1024 / 700:0} B per participant)", "< 4 KB per participant");
}

}

if (only is null)
{
    report.Write(Path.Combine(root, "docs", "benchmarks.md"));
}

return 0;

internal static class Repository
{
    public static string Root()
    {
        for (var dir = new DirectoryInfo(Directory.GetCurrentDirectory()); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "ConferenceDemo.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("Run the benchmark from inside the repository.");
    }

    public static string Run(string file, string[] args)
    {
        var info = new ProcessStartInfo(file, args) { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = Root() };
        using var process = Process.Start(info)!;
        var output = process.StandardOutput.ReadToEnd() + process.StandardError.ReadToEnd();
        process.WaitForExit();
        return process.ExitCode == 0 ? output.Trim() : throw new InvalidOperationException($"{file} {string.Join(' ', args)} failed:\n{output}");
    }
}

internal static class Measure
{
    /// <summary>The server's signature check (WebhookSignatureVerifier, on NSec) of a signed 1 KiB body.</summary>
    public static double VerifyMicroseconds()
    {
        var (events, body, signed) = SignedKilobyte();
        var verifier = new WebhookSignatureVerifier(Convert.FromBase64String(events.PublicKeyBase64), TimeSpan.FromSeconds(300));
        var now = DateTimeOffset.UtcNow;
        return BestMicroseconds(() => verifier.Verify(signed.Signature, signed.Timestamp, body, now) == WebhookVerificationOutcome.Valid);
    }

    /// <summary>The same Ed25519 check of the same message with BouncyCastle's RFC 8032 code, as the server did before.</summary>
    public static double VerifyBouncyCastleMicroseconds()
    {
        var (events, body, signed) = SignedKilobyte();
        var key = Convert.FromBase64String(events.PublicKeyBase64);
        var signature = Convert.FromBase64String(signed.Signature);
        var message = Encoding.ASCII.GetBytes(signed.Timestamp + "|").Concat(body).ToArray();
        return BestMicroseconds(() => Org.BouncyCastle.Math.EC.Rfc8032.Ed25519.Verify(signature, 0, key, 0, message, 0, message.Length));
    }

    private static (SignedEvents Events, byte[] Body, SignedRequest Signed) SignedKilobyte()
    {
        var events = new SignedEvents(Path.Combine(Repository.Root(), "tests", "ConferenceDemo.Tests", "Fixtures", "webhooks"));
        var body = Encoding.UTF8.GetBytes(new string(' ', 1024 - 2).Insert(0, "{").Insert(1023, "}"));
        return (events, body, events.Sign(body));
    }

    /// <summary>Microseconds per check, best of 5 rounds of 5,000 after one warm-up round.</summary>
    private static double BestMicroseconds(Func<bool> check)
    {
        var best = double.MaxValue;
        for (var round = 0; round < 6; round++)
        {
            var started = Stopwatch.GetTimestamp();
            for (var i = 0; i < 5000; i++)
            {
                if (!check())
                {
                    throw new InvalidOperationException("the benchmark's own signature did not verify");
                }
            }

            var perCheck = Stopwatch.GetElapsedTime(started).TotalMicroseconds / 5000;
            best = round == 0 ? best : Math.Min(best, perCheck); // round 0 warms up
        }

        return best;
    }

    /// <summary>
    /// Managed bytes one participant adds to a room, strings included, built as the server builds it from webhooks
    /// (a call_control_id of Telnyx's length, an E.164 number).
    /// </summary>
    public static double RoomBytesPerParticipant(int participants)
    {
        static Room Build(int count)
        {
            var room = Room.Create("myconf", Guid.NewGuid()) with { Phase = ConferencePhase.Live, ConferenceId = Guid.NewGuid().ToString() };
            var participants = System.Collections.Immutable.ImmutableList.CreateBuilder<Participant>();
            for (var i = 0; i < count; i++)
            {
                // Telnyx call_control_ids look like "v3:" + 52 URL-safe characters.
                var leg = ("v3:" + Convert.ToBase64String([.. Guid.NewGuid().ToByteArray(), .. Guid.NewGuid().ToByteArray(), .. Guid.NewGuid().ToByteArray()]))[..55];
                participants.Add(new Participant(leg, new string(SignedEvents.Number(i))) { Status = ParticipantStatus.InRoom });
            }

            return room with { Participants = participants.ToImmutable() };
        }

        var before = GC.GetTotalMemory(forceFullCollection: true);
        var empty = Build(0);
        var afterEmpty = GC.GetTotalMemory(forceFullCollection: true);
        var full = Build(participants);
        var afterFull = GC.GetTotalMemory(forceFullCollection: true);
        GC.KeepAlive(empty);
        GC.KeepAlive(full);
        return (afterFull - afterEmpty - (afterEmpty - before)) / (double)participants;
    }

    public static TimeSpan CpuTime(ServerProcess server)
    {
        var pid = server.ProcessId;
        var fields = File.ReadAllText($"/proc/{pid}/stat").Split(')')[1].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var ticks = long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
        return TimeSpan.FromSeconds(ticks / 100.0); // USER_HZ is 100 on Linux
    }

    public static async Task<Latencies> SeatLatenciesAsync(FakeTelnyx telnyx, long[] sentAt, Func<int, string> callId)
    {
        var latencies = new Latencies();
        for (var wait = 0; wait < 100 && Enumerable.Range(0, sentAt.Length).Any(i => !telnyx.SeatedAt.ContainsKey(callId(i))); wait++)
        {
            await Task.Delay(100);
        }

        for (var i = 0; i < sentAt.Length; i++)
        {
            if (telnyx.SeatedAt.TryGetValue(callId(i), out var seated))
            {
                latencies.Add((seated - sentAt[i]) * 1000.0 / Stopwatch.Frequency);
            }
            else
            {
                latencies.Errors++;
            }
        }

        return latencies;
    }

    /// <summary>Waits until the server has sent no command for half a second.</summary>
    public static async Task QuietAsync(FakeTelnyx telnyx)
    {
        var last = -1L;
        while (Interlocked.Read(ref telnyx.Commands) != last)
        {
            last = Interlocked.Read(ref telnyx.Commands);
            await Task.Delay(500);
        }
    }
}

internal sealed class Report(string root)
{
    private readonly List<(string Section, string What, string Result, string Target)> _rows = [];

    public (double Rate, Latencies FixedRate)? Reference { get; set; }

    public string Settings { get; set; } = "default settings (Information logging to the console)";

    public string Machine { get; } =
        $"{Environment.ProcessorCount} cores ({CpuModel()}), {MemoryGiB():0.0} GiB, {RuntimeInformation.OSDescription}, .NET {Environment.Version}";

    public void Add(string section, string what, string result, string target)
    {
        _rows.Add((section, what, result, target));
        Console.WriteLine($"{section}: {what}: {result}");
    }

    public void Ingest(string what, double rate, Latencies saturated, Latencies fixedRate, double cpuMicroseconds)
    {
        var ratio = Reference is { } reference ? $" ({rate / reference.Rate:P0} of the bare endpoint's {reference.Rate:0})" : "";
        Add("Webhook ingest", $"{what}: saturation, 32 connections", $"{rate:0} req/s{ratio}; p99 {saturated.Percentile(99):0.00} ms", ">= 4,000 req/s");
        Add("Webhook ingest", $"{what}: server CPU per request at saturation", $"{cpuMicroseconds:0} µs", "–");
        var bare = Reference is { } r ? $" (bare endpoint: p50 {r.FixedRate.Percentile(50):0.00}, p99 {r.FixedRate.Percentile(99):0.00} ms)" : "";
        Add("Webhook ingest", $"{what}: at a fixed 1,000 req/s", fixedRate.Summary + bare, "p99 < 10 ms");
    }

    public void Write(string path)
    {
        var commit = Repository.Run("git", ["rev-parse", "--short", "HEAD"]);
        var dirty = Repository.Run("git", ["status", "--porcelain", "--", "src", "bench"]).Length > 0 ? " (with uncommitted changes)" : "";
        var text = new StringBuilder()
            .AppendLine("# Benchmarks")
            .AppendLine()
            .AppendLine("Written by `dotnet run -c Release --project bench/ConferenceDemo.Bench` (the figures below come from one run of it;")
            .AppendLine("run it again to replace them). The notes after the table are kept in `bench/NOTES.md`.")
            .AppendLine()
            .AppendLine(CultureInfo.InvariantCulture, $"- date: {DateTimeOffset.UtcNow:yyyy-MM-dd HH:mm} UTC")
            .AppendLine(CultureInfo.InvariantCulture, $"- commit: {commit}{dirty}")
            .AppendLine(CultureInfo.InvariantCulture, $"- machine: {Machine}")
            .AppendLine(CultureInfo.InvariantCulture, $"- server: published in Release, {Settings}, on 127.0.0.1, against a")
            .AppendLine("  fake Telnyx on 127.0.0.1 that answers at once; load from this program (C#, HttpClient) on the same machine")
            .AppendLine()
            .AppendLine("| area | what | result | target |")
            .AppendLine("| --- | --- | --- | --- |");
        foreach (var (section, what, result, target) in _rows)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"| {section} | {what} | {result} | {target} |");
        }

        var notes = Path.Combine(root, "bench", "NOTES.md");
        if (File.Exists(notes))
        {
            text.AppendLine().Append(File.ReadAllText(notes));
        }

        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text.ToString());
        Console.WriteLine($"written: {path}");
    }

    private static string CpuModel() =>
        File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':')[1].Trim() ?? "unknown CPU";

    private static double MemoryGiB() =>
        long.Parse(File.ReadLines("/proc/meminfo").First().Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) / 1024.0 / 1024.0;
}
