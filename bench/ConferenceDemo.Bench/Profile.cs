using System.Diagnostics;

namespace ConferenceDemo.Bench;

/// <summary>
/// Where the time of the ingest path goes at saturation: the server's CPU per webhook with the signature check on
/// and off, then CPU profiles of the server (perf; else dotnet-trace, installed from NuGet as a tool into
/// bench/.out/tools): a stateless webhook in memory, and a call's life on SQLite.
/// </summary>
internal static class Profile
{
    public static async Task RunAsync(BenchContext bench)
    {
        var seconds = bench.Options.Seconds;
        var count = bench.Options.Quick ? 3000 : 120_000;
        SignedRequest[] Stateless(int n) => Ingest.Stateless(bench, n);

        foreach (var (what, settings) in new (string, Dictionary<string, string>)[]
        {
            ("signature checked", []),
            ("signature check off (TELNYX_VERIFY_WEBHOOKS=false)", new() { ["TELNYX_VERIFY_WEBHOOKS"] = "false" }),
        })
        {
            await using var server = await bench.StartServerAsync(bench.Memory, settings);
            using var load = new LoadGenerator(new Uri(server.BaseUrl, "/telnyx-conf-v2/start"), 32);
            await load.SaturateAsync(Stateless(count), 16, bench.Options.Warmup);
            var cpu = server.CpuTime();
            var (rate, saturated) = await load.SaturateAsync(Stateless(count), 32, TimeSpan.FromSeconds(seconds));
            Ingest.ThrowOnErrors(saturated);
            bench.Report.Add("Where the time goes", $"memory, call.speak.started at saturation, {what}",
                $"{rate:0} req/s; server CPU {(server.CpuTime() - cpu).TotalMicroseconds / (rate * seconds):0} µs/webhook", "–");
        }

        // perf (Debian's linux-perf) samples CPU time itself; the server writes its JIT symbols for it
        // (DOTNET_PerfMapEnabled, /tmp/perf-<pid>.map). Without perf, dotnet-trace samples thread stacks, waits included.
        var perf = Repository.Has("perf");
        var trace = perf ? null : DotnetTrace(bench);
        if (!perf && trace is null)
        {
            return;
        }

        await ProfileAsync(bench, perf, trace, bench.Memory, "signed call.speak.started", Stateless);
        if (bench.Stores.FirstOrDefault(s => s.Name == "SQLite") is { } sqlite)
        {
            await ProfileAsync(bench, perf, trace, sqlite, "signed call's life over 100 rooms", n => Ingest.Lives(bench, n));
        }
    }

    /// <summary>One CPU profile of a server on <paramref name="store"/> at saturation with <paramref name="make"/>'s webhooks.</summary>
    private static async Task ProfileAsync(BenchContext bench, bool perf, string? trace, Store store, string what, Func<int, SignedRequest[]> make)
    {
        var seconds = bench.Options.Seconds;
        var count = bench.Options.Quick ? 3000 : 120_000;
        await using var server = await bench.StartServerAsync(store, new Dictionary<string, string>
        {
            ["DOTNET_PerfMapEnabled"] = "1",
            ["DOTNET_EnableWriteXorExecute"] = "0", // else JIT-compiled code runs from a double mapping perf cannot name
        });
        using var load = new LoadGenerator(new Uri(server.BaseUrl, "/telnyx-conf-v2/start"), 32);
        await load.SaturateAsync(make(count / 4), 16, bench.Options.Warmup);
        await bench.Telnyx.QuietAsync();
        var output = Path.Combine(Path.GetTempPath(), $"conferencedemo-bench-{Environment.ProcessId}.{(perf ? "perf" : "nettrace")}");
        string[] record = perf
            ? ["record", "-e", "cpu-clock", "-F", "499", "-p", $"{server.ProcessId}", "-o", output, "--", "sleep", $"{seconds + 1}"]
            : ["collect", "-p", $"{server.ProcessId}", "--profile", "dotnet-sampled-thread-time", "--duration", $"00:00:00:{seconds + 1:D2}", "-o", output];
        using var collect = Process.Start(new ProcessStartInfo(perf ? "perf" : trace!, record)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
        })!;
        var drained = Task.WhenAll(collect.StandardOutput.ReadToEndAsync(), collect.StandardError.ReadToEndAsync());
        await Task.Delay(500); // the session starts before the load
        var (rate, _) = await load.SaturateAsync(make(count), 32, TimeSpan.FromSeconds(seconds));
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(seconds + 60));
        await collect.WaitForExitAsync(timeout.Token);
        var logs = await drained;
        if (collect.ExitCode != 0 || !File.Exists(output))
        {
            throw new InvalidOperationException($"{(perf ? "perf record" : "dotnet-trace collect")} failed ({collect.ExitCode}): {logs[1].Trim()}");
        }

        try
        {
            var title = $"CPU profile of the server at saturation ({rate:0} req/s, {store.Name}, {what})";
            if (perf)
            {
                var byLibrary = Repository.Run("perf", ["report", "-i", output, "--stdio", "--sort", "dso", "--percent-limit", "1"]);
                var bySymbol = Repository.Run("perf", ["report", "-i", output, "--stdio", "--sort", "dso,symbol", "--percent-limit", "0.3"]);
                bench.Report.Block($"{title}; perf, CPU time by library", Trimmed(byLibrary));
                bench.Report.Block($"{title}; perf, CPU time by function (the top 40; JIT-compiled code is [JIT])", Trimmed(bySymbol, 40));
            }
            else
            {
                var top = Repository.Run(trace!, ["report", output, "topN", "-n", "20"]);
                bench.Report.Block($"{title}; dotnet-trace, sampled thread time (waits included)", top);
            }
        }
        finally
        {
            File.Delete(output);
            File.Delete(output + ".etlx"); // dotnet-trace report's converted copy
        }
    }

    /// <summary>The first <paramref name="lines"/> rows of a perf report, without its comments, blank lines and padding.</summary>
    private static string Trimmed(string report, int lines = 20) =>
        string.Join('\n', report.Split('\n').Where(l => l.Trim().Length > 0 && !l.StartsWith('#')).Take(lines)
            .Select(l => System.Text.RegularExpressions.Regex.Replace(l, @"(\s+-)*\s*$", "")));

    /// <summary>dotnet-trace from bench/.out/tools, installed from NuGet on first use; null (with a note) when it cannot be.</summary>
    private static string? DotnetTrace(BenchContext bench)
    {
        var tools = Path.Combine(bench.Root, "bench", ".out", "tools");
        var trace = Path.Combine(tools, "dotnet-trace");
        if (!File.Exists(trace))
        {
            try
            {
                Repository.Run("dotnet", ["tool", "install", "--tool-path", tools, "dotnet-trace"]);
            }
            catch (InvalidOperationException e)
            {
                bench.Report.Note($"dotnet-trace did not install ({e.Message.Split('\n')[0]}); the split above is the only profile.");
                return null;
            }
        }

        return trace;
    }
}
