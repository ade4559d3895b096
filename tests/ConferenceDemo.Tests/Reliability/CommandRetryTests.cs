using System.Net;
using System.Net.Http.Headers;
using ConferenceDemo.Tests.Infrastructure;
using static ConferenceDemo.Tests.Infrastructure.CallSteps;
using static ConferenceDemo.Tests.Infrastructure.TelnyxWebhooks;

namespace ConferenceDemo.Tests.Reliability;

/// <summary>A flaky Telnyx, faked at the HTTP boundary: what is retried, with which command_id, after which wait.</summary>
public sealed class CommandRetryTests : IAsyncLifetime
{
    private static readonly string EncodedA = Uri.EscapeDataString(A);
    private readonly ConferenceDemoApplication _app = new();

    public CommandRetryTests()
    {
        // Settings are read when the server starts (in InitializeAsync): a hung attempt gives up after 1 s.
        _app.Settings["Telnyx:CommandTimeoutSeconds"] = "1";
    }

    public async Task InitializeAsync()
    {
        await FirstCallerOpensConferenceAsync(_app);
        _ = _app.Telnyx.TakeNew();
    }

    /// <summary>The waits between consecutive attempts, measured on the server's clock.</summary>
    private static TimeSpan[] Gaps(IReadOnlyList<RecordedRequest> sent) =>
        [.. sent.Zip(sent.Skip(1), (a, b) => b.At - a.At)];

    /// <summary>At least <paramref name="expected"/>, and not much more (the test moves the clock in small steps).</summary>
    private static void AssertWaited(TimeSpan expected, TimeSpan actual) =>
        Assert.InRange(actual, expected, expected + TimeSpan.FromSeconds(1));

    public async Task DisposeAsync() => await _app.DisposeAsync();

    /// <summary>Answers the first <paramref name="failures"/> requests with <paramref name="failure"/>, then as Telnyx does.</summary>
    private void FailFirst(int failures, Func<HttpResponseMessage> failure)
    {
        var seen = 0;
        _app.Telnyx.Respond = (_, _) => Task.FromResult(Interlocked.Increment(ref seen) <= failures ? failure() : null);
    }

    private static HttpResponseMessage Error(HttpStatusCode status, string fixture) =>
        RecordingTelnyxHandler.Json(status, File.ReadAllText(FixturePath("responses", fixture)));

    [Fact]
    public async Task ServerErrorThenSuccess_IsRetriedWithTheSameCommandId_AndTheRouteSucceeds()
    {
        FailFirst(1, () => Error(HttpStatusCode.InternalServerError, "error_500_internal.json"));

        Assert.Equal((200, $"recording started for {A}"), await _app.GetAsync($"/telnyx-conf-v2/record-start?participant={EncodedA}"));

        var sent = _app.Telnyx.TakeNew();
        Expect.Commands(sent, Expect.RecordStart(A), Expect.RecordStart(A));
        Assert.Equal(sent[0].Body, sent[1].Body); // one logical command: same command_id
        Assert.True((await _app.RoomAsync()).Find(A)!.Recording);
    }

    [Fact]
    public async Task CommandWithoutCommandId_IsRetriedBecauseRepeatingItIsHarmless()
    {
        FailFirst(1, () => new HttpResponseMessage(HttpStatusCode.ServiceUnavailable));

        Assert.Equal((200, $"participant muted [{A}]"), await _app.GetAsync($"/telnyx-conf-v2/mute?participant={EncodedA}"));

        Expect.Commands(_app.Telnyx.TakeNew(), Expect.Mute("conf-1", A), Expect.Mute("conf-1", A));
    }

    [Fact]
    public async Task RateLimitedWithRetryAfter_WaitsThatLongThenSucceeds()
    {
        FailFirst(1, () =>
        {
            var response = Error(HttpStatusCode.TooManyRequests, "error_429_rate_limited.json");
            response.Headers.RetryAfter = new RetryConditionHeaderValue(TimeSpan.FromSeconds(3));
            return response;
        });

        Assert.Equal((200, $"participant on hold [{A}]"), await _app.GetAsync($"/telnyx-conf-v2/hold?participant={EncodedA}"));

        var sent = _app.Telnyx.TakeNew();
        Assert.Equal(2, sent.Count);
        AssertWaited(TimeSpan.FromSeconds(3), Gaps(sent)[0]);
    }

    [Fact]
    public async Task RateLimitedWithRateLimitReset_WaitsUntilTheReset()
    {
        FailFirst(1, () =>
        {
            var response = Error(HttpStatusCode.TooManyRequests, "error_429_rate_limited.json");
            response.Headers.Add("x-ratelimit-reset", "2");
            return response;
        });

        Assert.Equal(200, (await _app.GetAsync($"/telnyx-conf-v2/unmute?participant={EncodedA}")).Status);

        var sent = _app.Telnyx.TakeNew();
        Assert.Equal(2, sent.Count);
        AssertWaited(TimeSpan.FromSeconds(2), Gaps(sent)[0]);
    }

    [Fact]
    public async Task RateLimitedLongerThanTheBudget_FailsAtOnceAsRateLimited_AndKeepsTheParticipant()
    {
        FailFirst(1, () =>
        {
            var response = Error(HttpStatusCode.TooManyRequests, "error_429_rate_limited.json");
            response.Headers.RetryAfter = new RetryConditionHeaderValue(TimeSpan.FromSeconds(120));
            return response;
        });

        var before = _app.Clock.GetUtcNow();
        var (status, text) = await _app.GetAsync($"/telnyx-conf-v2/mute?participant={EncodedA}");

        Assert.Equal(503, status);
        Assert.StartsWith("Telnyx rate limited: rate limited: Telnyx asks to wait 120 s, longer than what is left of TELNYX_RETRY_BUDGET_SECONDS", text);
        Assert.Contains("10011", text, StringComparison.Ordinal);
        Assert.InRange(_app.Clock.GetUtcNow() - before, TimeSpan.Zero, TimeSpan.FromSeconds(1)); // it did not wait
        Assert.Single(_app.Telnyx.TakeNew());
        Assert.NotNull((await _app.RoomAsync()).Find(A)); // not taken for a hang-up
    }

    [Fact]
    public async Task TelnyxHangs_TheAttemptTimesOutAndIsRetriedWithTheSameCommandId()
    {
        var seen = 0;
        _app.Telnyx.Respond = async (_, ct) =>
        {
            if (Interlocked.Increment(ref seen) == 1)
            {
                await Task.Delay(Timeout.Infinite, ct); // hangs until the attempt times out
            }

            return null;
        };

        Assert.Equal((200, $"recording stopped for {A}"), await _app.GetAsync($"/telnyx-conf-v2/record-stop?participant={EncodedA}"));

        var sent = _app.Telnyx.TakeNew();
        Expect.Commands(sent, Expect.RecordStop(A), Expect.RecordStop(A));
        Assert.Equal(sent[0].Body, sent[1].Body);
        Assert.True(Gaps(sent)[0] >= TimeSpan.FromSeconds(1)); // the hung attempt was given its 1 s
    }

    [Fact]
    public async Task ConnectionErrorThenSuccess_IsRetried()
    {
        var seen = 0;
        _app.Telnyx.Respond = (_, _) => Interlocked.Increment(ref seen) == 1
            ? throw new HttpRequestException("Connection reset by peer")
            : Task.FromResult<HttpResponseMessage?>(null);

        Assert.Equal((200, "calling +15551234567"), await _app.GetAsync("/telnyx-conf-v2/pull?number=%2B15551234567"));

        var sent = _app.Telnyx.TakeNew();
        Expect.Commands(sent, Expect.Dial("+15551234567"), Expect.Dial("+15551234567"));
        Assert.Equal(sent[0].Body, sent[1].Body);
    }

    [Fact]
    public async Task CallHasEnded_IsNotRetried_AndTheParticipantIsDropped()
    {
        FailFirst(int.MaxValue, () => Error(HttpStatusCode.UnprocessableEntity, "error_422_call_already_ended.json"));

        var (status, _) = await _app.GetAsync($"/telnyx-conf-v2/hold?participant={EncodedA}");

        Assert.Equal(410, status);
        Assert.Single(_app.Telnyx.TakeNew());
        Assert.Null((await _app.RoomAsync()).Find(A));
    }

    [Theory]
    [InlineData(HttpStatusCode.UnprocessableEntity, "error_422_missing_required_parameter.json")]
    [InlineData(HttpStatusCode.NotFound, "error_404_conference_not_found.json")]
    [InlineData(HttpStatusCode.Unauthorized, "error_401_unauthorized.json")]
    public async Task OtherClientErrors_AreNotRetried(HttpStatusCode status, string fixture)
    {
        FailFirst(int.MaxValue, () => Error(status, fixture));

        var (answer, text) = await _app.GetAsync($"/telnyx-conf-v2/unhold?participant={EncodedA}");

        Assert.Equal(502, answer);
        Assert.Single(_app.Telnyx.TakeNew());
        if (status == HttpStatusCode.Unauthorized)
        {
            Assert.Contains("check TELNYX_API_KEY", text, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task PersistentServerErrors_StopAfterTheAttemptLimit_WithExponentialJitteredBackoff()
    {
        FailFirst(int.MaxValue, () => Error(HttpStatusCode.InternalServerError, "error_500_internal.json"));

        var (status, text) = await _app.GetAsync($"/telnyx-conf-v2/mute?participant={EncodedA}");

        Assert.Equal(502, status);
        Assert.StartsWith("Telnyx error: ", text, StringComparison.Ordinal);
        Assert.Matches(@"\(4 attempts over [0-9.]+ s\)$", text);
        var sent = _app.Telnyx.TakeNew();
        Assert.Equal(4, sent.Count);
        Assert.All(sent, r => Assert.Equal(sent[0].Body, r.Body));
        Assert.All(Gaps(sent), gap => Assert.InRange(gap, TimeSpan.Zero, TimeSpan.FromSeconds(11))); // backoff: at most 10 s each
    }

    [Fact]
    public async Task CommandsSentForWebhooks_AreRetriedToo()
    {
        FailFirst(1, () => new HttpResponseMessage(HttpStatusCode.BadGateway));

        var sent = await _app.DeliverAsync(Initiated(B, from: FromB));

        Expect.Commands(sent, Expect.Answer(B), Expect.Answer(B));
        Assert.Equal(sent[0].Body, sent[1].Body);
    }
}
