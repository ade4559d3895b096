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
            if (path == "conferences" || path.EndsWith("/actions/join", StringComparison.Ordinal))
            {
                var ccid = body.RootElement.GetProperty("call_control_id").GetString()!;
                fake.SeatedAt.TryAdd(ccid, Stopwatch.GetTimestamp());
            }

            return path switch
            {
                "conferences" => Results.Text("""{"data":{"id":"conf-bench","name":"myconf","record_type":"conference"}}""", "application/json"),
                "calls" => Results.Text("""{"data":{"call_control_id":"v3:bench-dialed","record_type":"call"}}""", "application/json"),
                _ => Results.Text("""{"data":{"result":"ok"}}""", "application/json"),
            };
        });
        await app.StartAsync();
        return fake;
    }

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();
}
