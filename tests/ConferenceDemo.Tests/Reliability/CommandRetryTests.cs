using System.Net;
using System.Net.Http.Headers;
using ConferenceDemo.Tests.Infrastructure;
using static ConferenceDemo.Tests.Conference.CallFlowScenarioTests;
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
        _app.Clock.Delays.Clear();
    }

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

        Assert.Equal([TimeSpan.FromSeconds(3)], _app.Clock.Delays);
        Assert.Equal(2, _app.Telnyx.TakeNew().Count);
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

        Assert.Equal([TimeSpan.FromSeconds(2)], _app.Clock.Delays);
    }

    [Fact]
    public async Task RateLimitedLongerThanTheBudget_GivesUpWithoutWaiting()
    {
        FailFirst(1, () =>
        {
            var response = Error(HttpStatusCode.TooManyRequests, "error_429_rate_limited.json");
            response.Headers.RetryAfter = new RetryConditionHeaderValue(TimeSpan.FromSeconds(120));
            return response;
        });

        var (status, text) = await _app.GetAsync($"/telnyx-conf-v2/mute?participant={EncodedA}");

        Assert.Equal(502, status);
        Assert.Contains("10011", text, StringComparison.Ordinal);
        Assert.Empty(_app.Clock.Delays);
        Assert.Single(_app.Telnyx.TakeNew());
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

        Assert.Equal(502, (await _app.GetAsync($"/telnyx-conf-v2/unhold?participant={EncodedA}")).Status);

        Assert.Single(_app.Telnyx.TakeNew());
    }

    [Fact]
    public async Task PersistentServerErrors_StopAfterTheAttemptLimit_WithExponentialJitteredBackoff()
    {
        FailFirst(int.MaxValue, () => Error(HttpStatusCode.InternalServerError, "error_500_internal.json"));

        var (status, text) = await _app.GetAsync($"/telnyx-conf-v2/mute?participant={EncodedA}");

        Assert.Equal(502, status);
        Assert.StartsWith("Telnyx error: ", text, StringComparison.Ordinal);
        Assert.Equal(4, _app.Telnyx.TakeNew().Count);
        var delays = _app.Clock.Delays.ToArray();
        Assert.Equal(3, delays.Length);
        for (var i = 0; i < delays.Length; i++)
        {
            var nominal = 200 * Math.Pow(2, i);
            Assert.InRange(delays[i].TotalMilliseconds, nominal * 0.5, nominal * 1.5);
        }
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
