using System.Diagnostics;
using System.Net.Http.Headers;

namespace ConferenceDemo.Bench;

/// <summary>Sends signed webhooks: as fast as they are answered (saturation), or at a fixed rate (latency).</summary>
internal sealed class LoadGenerator : IDisposable
{
    private static readonly MediaTypeHeaderValue Json = new("application/json");
    private readonly HttpClient _http;
    private readonly Uri _url;

    public LoadGenerator(Uri url, int connections)
    {
        _url = url;
        _http = new HttpClient(new SocketsHttpHandler
        {
            MaxConnectionsPerServer = connections,
            PooledConnectionLifetime = Timeout.InfiniteTimeSpan,
            UseProxy = false,
        })
        { Timeout = TimeSpan.FromSeconds(30) };
    }

    public void Dispose() => _http.Dispose();

    public async Task<bool> SendAsync(SignedRequest request)
    {
        using var message = new HttpRequestMessage(HttpMethod.Post, _url) { Content = new ByteArrayContent(request.Body) };
        message.Content.Headers.ContentType = Json;
        message.Headers.TryAddWithoutValidation("telnyx-timestamp", request.Timestamp);
        message.Headers.TryAddWithoutValidation("telnyx-signature-ed25519", request.Signature);
        using var response = await _http.SendAsync(message);
        return response.IsSuccessStatusCode;
    }

    /// <summary>Closed loop: <paramref name="workers"/> senders, each sending its next request when the last is answered.</summary>
    public async Task<(double RequestsPerSecond, Latencies Latencies)> SaturateAsync(IReadOnlyList<SignedRequest> requests, int workers, TimeSpan duration)
    {
        var latencies = new Latencies();
        var next = -1;
        var started = Stopwatch.GetTimestamp();
        var end = started + (long)(duration.TotalSeconds * Stopwatch.Frequency);
        var done = 0;
        await Task.WhenAll(Enumerable.Range(0, workers).Select(async _ =>
        {
            while (Stopwatch.GetTimestamp() < end)
            {
                var i = Interlocked.Increment(ref next);
                if (i >= requests.Count)
                {
                    return;
                }

                var sent = Stopwatch.GetTimestamp();
                var ok = await SendAsync(requests[i]);
                latencies.Add(Stopwatch.GetElapsedTime(sent).TotalMilliseconds);
                Interlocked.Increment(ref done);
                if (!ok)
                {
                    Interlocked.Increment(ref latencies.Errors);
                }
            }
        }));
        var elapsed = Stopwatch.GetElapsedTime(started).TotalSeconds;
        return (done / elapsed, latencies);
    }

    /// <summary>
    /// Open loop at a fixed rate: request i is due at start + i/rate and its latency runs from when it was due, so a
    /// slow answer cannot hide the requests queued behind it.
    /// </summary>
    public async Task<Latencies> FixedRateAsync(IReadOnlyList<SignedRequest> requests, double perSecond,
        Action<int, long>? onSent = null)
    {
        var latencies = new Latencies();
        var inFlight = new List<Task>(requests.Count);
        var start = Stopwatch.GetTimestamp();
        var interval = Stopwatch.Frequency / perSecond;
        for (var i = 0; i < requests.Count; i++)
        {
            var due = start + (long)(i * interval);
            while (Stopwatch.GetTimestamp() < due)
            {
                var wait = (due - Stopwatch.GetTimestamp()) * 1000.0 / Stopwatch.Frequency;
                if (wait > 2)
                {
                    await Task.Delay(TimeSpan.FromMilliseconds(wait - 1.5));
                }
                else
                {
                    Thread.SpinWait(50);
                }
            }

            var index = i;
            onSent?.Invoke(index, due);
            inFlight.Add(Task.Run(async () =>
            {
                var ok = await SendAsync(requests[index]);
                latencies.Add((Stopwatch.GetTimestamp() - due) * 1000.0 / Stopwatch.Frequency);
                if (!ok)
                {
                    Interlocked.Increment(ref latencies.Errors);
                }
            }));
        }

        await Task.WhenAll(inFlight);
        return latencies;
    }
}
