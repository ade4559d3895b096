using System.Diagnostics;
using System.Text;
using ConferenceDemo.Webhooks;

namespace ConferenceDemo.Bench;

/// <summary>
/// One Ed25519 check of a signed 1 KiB webhook, in process: the server's (NSec) and BouncyCastle's for reference. Then
/// signed ingest before and after NSec: the server as it was at the commit before NSec and at the commit that brought
/// it (the only change between them), each built from git and loaded the same way.
/// </summary>
internal static class Verification
{
    /// <summary>The last commit verifying with BouncyCastle, and the next one, which verifies with NSec and changes nothing else.</summary>
    private static readonly (string Revision, string Verifier)[] NsecChange = [("5acef64", "BouncyCastle"), ("1ee4f87", "NSec")];

    public static async Task RunAsync(BenchContext bench)
    {
        var rounds = bench.Options.Quick ? 500 : 5000;
        var body = Encoding.UTF8.GetBytes(new string(' ', 1024 - 2).Insert(0, "{").Insert(1023, "}"));
        var signed = bench.Events.Sign(body);
        var key = Convert.FromBase64String(bench.Events.PublicKeyBase64);

        var verifier = new WebhookSignatureVerifier(key, TimeSpan.FromSeconds(300));
        var now = DateTimeOffset.UtcNow;
        var server = BestMicroseconds(rounds, () => verifier.Verify(signed.Signature, signed.Timestamp, body, now) == WebhookVerificationOutcome.Valid);
        bench.Report.Add("Verification", $"Ed25519 check of a 1 KiB webhook (the server's, NSec), best of 5 x {rounds:N0}", $"{server:0.0} µs", "–");

        var signature = Convert.FromBase64String(signed.Signature);
        var message = Encoding.ASCII.GetBytes(signed.Timestamp + "|").Concat(body).ToArray();
        var bouncy = BestMicroseconds(rounds, () => Org.BouncyCastle.Math.EC.Rfc8032.Ed25519.Verify(signature, 0, key, 0, message, 0, message.Length));
        bench.Report.Add("Verification", "the same check with BouncyCastle (the server's before NSec; reference only)", $"{bouncy:0.0} µs", "–");

        var seconds = bench.Options.Seconds;
        var count = bench.Options.Quick ? 3000 : 120_000;
        SignedRequest[] Stateless(int n) => Ingest.Stateless(bench, n);

        foreach (var (revision, library) in NsecChange)
        {
            await using var built = await bench.StartServerAsync(bench.Memory, serverDll: Built(bench, revision));
            using var load = new LoadGenerator(new Uri(built.BaseUrl, "/telnyx-conf-v2/start"), 32);
            await load.SaturateAsync(Stateless(count / 4), 16, bench.Options.Warmup);
            var cpu = built.CpuTime();
            var (rate, saturated) = await load.SaturateAsync(Stateless(count), 32, TimeSpan.FromSeconds(seconds));
            var cpuPerWebhook = (built.CpuTime() - cpu).TotalMicroseconds / (rate * seconds);
            var fixedRate = await load.FixedRateAsync(Stateless(seconds * 1000), 1000);
            Ingest.ThrowOnErrors(saturated, fixedRate);
            bench.Report.Add("Verification", $"signed call.speak.started into the server at {revision} ({library}; one room, in memory): saturation; CPU per webhook; at 1,000 req/s",
                $"{rate:0} req/s; {cpuPerWebhook:0} µs; {fixedRate.Summary}", "–");
        }
    }

    /// <summary>The server at <paramref name="revision"/>, exported from git and published in Release under bench/.out (once).</summary>
    private static string Built(BenchContext bench, string revision)
    {
        var folder = Path.Combine(bench.Root, "bench", ".out", $"server-{revision}");
        var dll = Path.Combine(folder, "out", "ConferenceDemo.dll");
        if (!File.Exists(dll))
        {
            var source = Path.Combine(folder, "source");
            Directory.CreateDirectory(source);
            Repository.Run("bash", ["-c", $"git archive --format=tar {revision} | tar -x -C '{source}'"]);
            Repository.Run("dotnet", ["publish", Path.Combine(source, "src", "ConferenceDemo", "ConferenceDemo.csproj"), "-c", "Release", "-o",
                Path.GetDirectoryName(dll)!, "--nologo", "-v", "q"]);
        }

        return dll;
    }

    /// <summary>Microseconds per check, best of 5 rounds after one warm-up round.</summary>
    private static double BestMicroseconds(int rounds, Func<bool> check)
    {
        var best = double.MaxValue;
        for (var round = 0; round < 6; round++)
        {
            var started = Stopwatch.GetTimestamp();
            for (var i = 0; i < rounds; i++)
            {
                if (!check())
                {
                    throw new InvalidOperationException("the benchmark's own signature did not verify");
                }
            }

            var perCheck = Stopwatch.GetElapsedTime(started).TotalMicroseconds / rounds;
            best = round == 0 ? best : Math.Min(best, perCheck); // round 0 warms up
        }

        return best;
    }
}
