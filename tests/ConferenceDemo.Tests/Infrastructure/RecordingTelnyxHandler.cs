using System.Collections.Concurrent;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;

namespace ConferenceDemo.Tests.Infrastructure;

/// <summary>One request the server sent to "Telnyx".</summary>
public sealed record RecordedRequest(HttpMethod Method, string Path, string Body, string? Authorization, string? ContentType)
{
    /// <summary>The query string as sent (still escaped), e.g. "?filter%5Bname%5D=myconf".</summary>
    public string Query { get; init; } = "";

    /// <summary>When it arrived, on the handler's <see cref="RecordingTelnyxHandler.Clock"/>.</summary>
    public DateTimeOffset At { get; init; }

    /// <summary>The telnyx-signature-ed25519 and telnyx-timestamp headers, when a webhook was sent (the simulator's).</summary>
    public string? Signature { get; init; }

    public string? Timestamp { get; init; }

    public JsonNode? Json => string.IsNullOrEmpty(Body) ? null : JsonNode.Parse(Body);

    public override string ToString() => $"{Method} {Path} {Body}";
}

/// <summary>
/// Telnyx faked at the HTTP boundary: records every request and answers like Telnyx (create gives conf-1, conf-2,
/// …; dial gives v3:dialed-1, …; actions give {"data":{"result":"ok"}}), unless a test sets <see cref="Respond"/>.
/// </summary>
public sealed class RecordingTelnyxHandler : HttpMessageHandler
{
    private readonly ConcurrentQueue<RecordedRequest> _requests = new();
    private int _conferences;
    private int _dials;
    private int _taken;

    /// <summary>The clock that stamps <see cref="RecordedRequest.At"/>: the server's, in the tests that set it.</summary>
    public TimeProvider Clock { get; set; } = TimeProvider.System;

    /// <summary>Answers instead of the default when it returns non-null.</summary>
    public Func<RecordedRequest, CancellationToken, Task<HttpResponseMessage?>>? Respond { get; set; }

    public IReadOnlyList<RecordedRequest> Requests => [.. _requests];

    /// <summary>The requests recorded since the previous call.</summary>
    public IReadOnlyList<RecordedRequest> TakeNew()
    {
        var all = Requests;
        var fresh = all.Skip(_taken).ToList();
        _taken = all.Count;
        return fresh;
    }

    public static HttpResponseMessage Json(HttpStatusCode status, string json) =>
        new(status) { Content = new StringContent(json, Encoding.UTF8, "application/json") };

    /// <summary>Requests to any of <paramref name="paths"/> get this answer; the rest are answered as usual.</summary>
    public void AnswerOn(HttpStatusCode status, string body, params string[] paths) =>
        Respond = (r, _) => Task.FromResult(paths.Contains(r.Path) ? Json(status, body) : null);

    /// <summary>Requests to any of <paramref name="paths"/> get one of Telnyx's error bodies (Fixtures/responses).</summary>
    public void FailOn(HttpStatusCode status, string errorFixture, params string[] paths) =>
        AnswerOn(status, File.ReadAllText(TelnyxWebhooks.FixturePath("responses", errorFixture)), paths);

    /// <summary>Requests to <paramref name="path"/> are answered after <paramref name="milliseconds"/>.</summary>
    public void DelayOn(string path, int milliseconds) =>
        Respond = async (r, ct) =>
        {
            if (r.Path == path)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(milliseconds), Clock, ct);
            }

            return null;
        };

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var body = request.Content is null ? "" : await request.Content.ReadAsStringAsync(cancellationToken);
        var recorded = new RecordedRequest(request.Method, request.RequestUri!.AbsolutePath, body,
            request.Headers.Authorization?.ToString(), request.Content?.Headers.ContentType?.MediaType)
        {
            Query = request.RequestUri.Query,
            At = Clock.GetUtcNow(),
            Signature = request.Headers.TryGetValues("telnyx-signature-ed25519", out var signature) ? signature.Single() : null,
            Timestamp = request.Headers.TryGetValues("telnyx-timestamp", out var timestamp) ? timestamp.Single() : null,
        };
        _requests.Enqueue(recorded);

        if (Respond is { } respond && await respond(recorded, cancellationToken) is { } custom)
        {
            return custom;
        }

        if (recorded.Method == HttpMethod.Get)
        {
            // Lists (conferences, participants): nothing running unless a test says so.
            return Json(HttpStatusCode.OK, """{"data":[],"meta":{"page_number":1,"page_size":250,"total_pages":1,"total_results":0}}""");
        }

        return recorded.Path switch
        {
            "/v2/conferences" => Json(HttpStatusCode.OK,
                $$$"""{"data":{"id":"conf-{{{Interlocked.Increment(ref _conferences)}}}","name":"myconf","record_type":"conference","status":"in_progress"}}"""),
            "/v2/calls" => Json(HttpStatusCode.OK,
                $$$"""{"data":{"call_control_id":"v3:dialed-{{{Interlocked.Increment(ref _dials)}}}","is_alive":false,"record_type":"call"}}"""),
            _ => Json(HttpStatusCode.OK, """{"data":{"result":"ok"}}"""),
        };
    }

    // IHttpClientFactory disposes handler chains it rotates out; this one lives as long as the test.
    protected override void Dispose(bool disposing)
    {
    }
}
