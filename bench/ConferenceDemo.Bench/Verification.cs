using System.Diagnostics;
using System.Text;
using ConferenceDemo.Webhooks;

namespace ConferenceDemo.Bench;

/// <summary>One Ed25519 check of a signed 1 KiB webhook, in process: the server's (NSec) and BouncyCastle's for reference.</summary>
internal static class Verification
{
    public static Task RunAsync(BenchContext bench)
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
        return Task.CompletedTask;
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
