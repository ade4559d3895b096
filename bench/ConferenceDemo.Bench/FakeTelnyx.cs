using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json;

namespace ConferenceDemo.Bench;

/// <summary>
/// Telnyx on loopback, answering every command at once. It notes when each create or join arrives, keyed by the
/// call_control_id in its body, for the event-to-command figures.
/// </summary>
internal sealed class FakeTelnyx : IAsyncDisposable
{
    private readonly WebApplication _app;

    public ConcurrentDictionary<string, long> SeatedAt { get; } = new(StringComparer.Ordinal);

    /// <summary>When each leg's speak arrived (the command sent just before its join), keyed by the escaped id in its path.</summary>
    public ConcurrentDictionary<string, long> SpokenAt { get; } = new(StringComparer.Ordinal);

    public long Commands;

    private FakeTelnyx(WebApplication app) => _app = app;

    public string BaseUrl => _app.Urls.First() + "/v2";

    public static async Task<FakeTelnyx> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        var fake = new FakeTelnyx(app);
        app.MapPost("/v2/{**path}", async (HttpContext context, string path) =>
        {
            Interlocked.Increment(ref fake.Commands);
            if (path.EndsWith("/actions/speak", StringComparison.Ordinal))
            {
                fake.SpokenAt.TryAdd(Uri.UnescapeDataString(path.Split('/')[1]), Stopwatch.GetTimestamp());
            }

            using var body = await JsonDocument.ParseAsync(context.Request.Body);
            var ccid = "";
            if (path == "conferences" || path.EndsWith("/actions/join", StringComparison.Ordinal))
            {
                ccid = body.RootElement.GetProperty("call_control_id").GetString()!;
                fake.SeatedAt.TryAdd(ccid, Stopwatch.GetTimestamp());
            }

            return path switch
            {
                // Each conference gets its own id, named after the leg that created it, so many rooms stay apart.
                "conferences" => Results.Text($$$"""{"data":{"id":"{{{SignedEvents.ConferenceOf(ccid)}}}","name":"bench","record_type":"conference"}}""", "application/json"),
                "calls" => Results.Text("""{"data":{"call_control_id":"v3:bench-dialed","record_type":"call"}}""", "application/json"),
                _ => Results.Text("""{"data":{"result":"ok"}}""", "application/json"),
            };
        });
        await app.StartAsync();
        return fake;
    }

    /// <summary>How long without a command counts as quiet (shorter for --quick, whose loads are tiny).</summary>
    public TimeSpan QuietFor { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>Waits until the server has sent no command for <see cref="QuietFor"/>.</summary>
    public async Task QuietAsync()
    {
        var last = -1L;
        while (Interlocked.Read(ref Commands) != last)
        {
            last = Interlocked.Read(ref Commands);
            await Task.Delay(QuietFor);
        }
    }

    /// <summary>
    /// Milliseconds from each leg's webhook (sent at <paramref name="sentAt"/>) to the later of its greeting and its
    /// seat at this fake; legs still missing both after 10 s count as errors.
    /// </summary>
    public async Task<Latencies> GreetedAndSeatedAsync(long[] sentAt, Func<int, string> callId)
    {
        bool Done(int i) => SeatedAt.ContainsKey(callId(i)) && SpokenAt.ContainsKey(callId(i));
        for (var wait = 0; wait < 100 && !Enumerable.Range(0, sentAt.Length).All(Done); wait++)
        {
            await Task.Delay(100);
        }

        var latencies = new Latencies();
        for (var i = 0; i < sentAt.Length; i++)
        {
            if (SeatedAt.TryGetValue(callId(i), out var seated) && SpokenAt.TryGetValue(callId(i), out var spoken))
            {
                latencies.Add((Math.Max(seated, spoken) - sentAt[i]) * 1000.0 / Stopwatch.Frequency);
            }
            else
            {
                latencies.Errors++;
            }
        }

        return latencies;
    }

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();
}
