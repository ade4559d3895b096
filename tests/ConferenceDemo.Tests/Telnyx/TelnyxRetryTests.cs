using System.Net;
using System.Net.Http.Headers;
using ConferenceDemo.Telnyx;
using ConferenceDemo.Tests.Infrastructure;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Time.Testing;

namespace ConferenceDemo.Tests.Telnyx;

/// <summary>
/// The typed client as the server wires it (AddTelnyxClient: auth, then the resilience handler), Telnyx faked at the
/// HTTP boundary, and every wait on a FakeTimeProvider the test moves by hand: timings are exact, not wall-clock.
/// Settings: 5 s an attempt, 4 attempts, 200 ms first backoff, 20 s budget (the defaults).
/// </summary>
public sealed class TelnyxRetryTests : IDisposable
{
    private static readonly TimeSpan Step = TimeSpan.FromMilliseconds(10);
    private static readonly TimeSpan Budget = TimeSpan.FromSeconds(20);

    private readonly FakeTimeProvider _clock = new(DateTimeOffset.FromUnixTimeSeconds(1_800_000_000));
    private readonly RecordingTelnyxHandler _telnyx = new();
    private readonly IHost _host;
    private readonly TelnyxClient _client;

    public TelnyxRetryTests()
    {
        _telnyx.Clock = _clock;
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Telnyx:ApiKey"] = "test-key",
            ["Telnyx:BaseUrl"] = "https://telnyx.test/v2",
            ["Telnyx:CommandTimeoutSeconds"] = "5",
            ["Telnyx:RetryMaxAttempts"] = "4",
            ["Telnyx:RetryBaseDelayMilliseconds"] = "200",
            ["Telnyx:RetryBudgetSeconds"] = "20",
        });
        builder.AddTelnyxClient();
        builder.Services.RemoveAll<TimeProvider>();
        builder.Services.AddSingleton<TimeProvider>(_clock);
        builder.Services.AddHttpClient<TelnyxClient>().ConfigurePrimaryHttpMessageHandler(() => _telnyx);
        _host = builder.Build();
        _client = _host.Services.GetRequiredService<TelnyxClient>();
    }

    public void Dispose() => _host.Dispose();

    /// <summary>Runs the command, moving the fake clock on in 10 ms steps until it ends; how long it took on that clock.</summary>
    private async Task<TimeSpan> RunAsync(Func<Task> command)
    {
        var started = _clock.GetUtcNow();
        var task = command();
        while (!task.IsCompleted)
        {
            _clock.Advance(Step);
            await Task.WhenAny(task, Task.Delay(1));
        }

        await task;
        return _clock.GetUtcNow() - started;
    }

    private void Answer(params Func<HttpResponseMessage?>[] answers)
    {
        var seen = -1;
        _telnyx.Respond = (_, _) =>
        {
            var i = Interlocked.Increment(ref seen);
            return Task.FromResult(i < answers.Length ? answers[i]() : null);
        };
    }

    private static HttpResponseMessage Status(HttpStatusCode status) =>
        RecordingTelnyxHandler.Json(status, File.ReadAllText(TelnyxWebhooks.FixturePath("responses",
            status == HttpStatusCode.TooManyRequests ? "error_429_rate_limited.json" : "error_500_internal.json")));

    private static HttpResponseMessage RetryAfter(int seconds)
    {
        var response = Status(HttpStatusCode.TooManyRequests);
        response.Headers.RetryAfter = new RetryConditionHeaderValue(TimeSpan.FromSeconds(seconds));
        return response;
    }

    [Fact]
    public async Task ServerErrorThenSuccess_OneCommandIdForBothAttempts()
    {
        Answer(() => Status(HttpStatusCode.InternalServerError));

        var took = await RunAsync(() => _client.SpeakAsync("v3:a", "hello", "female", "en-GB", "cmd-500-then-200"));

        var sent = _telnyx.Requests;
        Assert.Equal(2, sent.Count);
        Assert.Equal(sent[0].Body, sent[1].Body);
        Assert.Equal("cmd-500-then-200", sent[1].Json!["command_id"]!.GetValue<string>());
        Assert.InRange(took, TimeSpan.Zero, TimeSpan.FromSeconds(10)); // one backoff, capped at 10 s
    }

    [Fact]
    public async Task RetryAfterInsideTheBudget_IsWaitedFor_ThenTheCommandSucceeds()
    {
        Answer(() => RetryAfter(7));

        await RunAsync(() => _client.HangupAsync("v3:a", "cmd-1"));

        var sent = _telnyx.Requests;
        Assert.Equal(2, sent.Count);
        Assert.InRange(sent[1].At - sent[0].At, TimeSpan.FromSeconds(7), TimeSpan.FromSeconds(8)); // the test steps the clock
    }

    [Fact]
    public async Task RetryAfterBeyondTheBudget_FailsAtOnceAsRateLimited()
    {
        Answer(() => RetryAfter(30));

        TelnyxCommandException? failure = null;
        var took = await RunAsync(async () => failure = await Assert.ThrowsAsync<TelnyxCommandException>(() => _client.HangupAsync("v3:a", "cmd-1")));

        Assert.Equal(TelnyxFailure.RateLimited, failure!.Failure);
        Assert.False(failure.CallHasEnded);
        Assert.Contains("Telnyx asks to wait 30 s", failure.Reason, StringComparison.Ordinal);
        Assert.Single(_telnyx.Requests);
        Assert.InRange(took, TimeSpan.Zero, TimeSpan.FromSeconds(1)); // it did not wait the 30 s
    }

    [Fact]
    public async Task RetryAfterLongerThanWhatIsLeftOfTheBudget_FailsWithoutWaiting()
    {
        Answer(() => RetryAfter(12), () => RetryAfter(12));

        TelnyxCommandException? failure = null;
        var took = await RunAsync(async () => failure = await Assert.ThrowsAsync<TelnyxCommandException>(() => _client.HangupAsync("v3:a", "cmd-1")));

        Assert.Equal(TelnyxFailure.RateLimited, failure!.Failure);
        Assert.Equal(2, _telnyx.Requests.Count); // 12 s waited once; 12 more would pass 20 s
        Assert.InRange(_telnyx.Requests[1].At - _telnyx.Requests[0].At, TimeSpan.FromSeconds(12), TimeSpan.FromSeconds(13));
        Assert.InRange(took, TimeSpan.FromSeconds(12), TimeSpan.FromSeconds(13));
    }

    [Fact]
    public async Task AHang_IsTimedOutAfterTheAttemptTimeout_AndRetriedWithTheSameCommandId()
    {
        var seen = 0;
        _telnyx.Respond = async (_, ct) =>
        {
            if (Interlocked.Increment(ref seen) == 1)
            {
                await Task.Delay(Timeout.Infinite, ct);
            }

            return null;
        };

        await RunAsync(() => _client.StopRecordingAsync("v3:a", "cmd-hang"));

        var sent = _telnyx.Requests;
        Assert.Equal(2, sent.Count);
        Assert.Equal(sent[0].Body, sent[1].Body);
        Assert.InRange(sent[1].At - sent[0].At, TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(5) + TimeSpan.FromSeconds(11));
    }

    [Fact]
    public async Task TelnyxNeverAnswers_TheBudgetHolds_AndTheFailureSaysHowManyAttemptsOverHowLong()
    {
        var started = _clock.GetUtcNow();
        var cutAt = new List<DateTimeOffset>();
        _telnyx.Respond = async (_, ct) =>
        {
            // Runs inside the clock's Advance, at the exact fake time the attempt is cancelled.
            using var registration = ct.Register(() =>
            {
                lock (cutAt)
                {
                    cutAt.Add(_clock.GetUtcNow());
                }
            });
            await Task.Delay(Timeout.Infinite, ct);
            return null;
        };

        TelnyxCommandException? failure = null;
        var took = await RunAsync(async () => failure = await Assert.ThrowsAsync<TelnyxCommandException>(() => _client.HangupAsync("v3:a", "cmd-1")));

        Assert.Equal(TelnyxFailure.TimedOut, failure!.Failure);
        Assert.InRange(_telnyx.Requests.Count, 3, 4);
        Assert.NotEmpty(cutAt);
        Assert.All(cutAt, at => Assert.InRange(at - started, TimeSpan.FromSeconds(5), Budget)); // no attempt runs past the 20 s budget
        Assert.InRange(took, TimeSpan.FromSeconds(15), Budget + TimeSpan.FromSeconds(1)); // the test's own stepping adds a little
        Assert.Matches(@"^Telnyx did not answer: [34] attempts over [0-9.]+ s", failure.Reason);
        Assert.All(_telnyx.Requests, r => Assert.Equal(_telnyx.Requests[0].Body, r.Body));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public async Task PersistentServerErrors_NeverRunPastTheBudget(int seed)
    {
        // Waits asked for by Telnyx that add up past the budget, mixed with plain 503s.
        var random = new Random(seed);
        _telnyx.Respond = (_, _) => Task.FromResult<HttpResponseMessage?>(random.Next(2) == 0
            ? RetryAfter(random.Next(1, 9))
            : Status(HttpStatusCode.ServiceUnavailable));

        var started = _clock.GetUtcNow();
        var took = await RunAsync(async () => await Assert.ThrowsAsync<TelnyxCommandException>(() => _client.HangupAsync("v3:a", "cmd-1")));

        Assert.InRange(_telnyx.Requests.Count, 1, 4);
        Assert.InRange(_telnyx.Requests[^1].At - started, TimeSpan.Zero, Budget); // no attempt starts past the budget
        Assert.InRange(took, TimeSpan.Zero, Budget + TimeSpan.FromSeconds(1)); // the test's own stepping adds a little
    }

    [Fact]
    public async Task CallHasEnded_IsNotRetried()
    {
        Answer(() => RecordingTelnyxHandler.Json(HttpStatusCode.UnprocessableEntity,
            File.ReadAllText(TelnyxWebhooks.FixturePath("responses", "error_422_call_already_ended.json"))));

        TelnyxCommandException? failure = null;
        await RunAsync(async () => failure = await Assert.ThrowsAsync<TelnyxCommandException>(() => _client.HangupAsync("v3:a", "cmd-1")));

        Assert.True(failure!.CallHasEnded);
        Assert.Single(_telnyx.Requests);
    }

    [Fact]
    public async Task Unauthorized_IsNotRetried_AndNamesTheSetting()
    {
        Answer(() => RecordingTelnyxHandler.Json(HttpStatusCode.Unauthorized,
            File.ReadAllText(TelnyxWebhooks.FixturePath("responses", "error_401_unauthorized.json"))));

        TelnyxCommandException? failure = null;
        await RunAsync(async () => failure = await Assert.ThrowsAsync<TelnyxCommandException>(() => _client.HangupAsync("v3:a", "cmd-1")));

        Assert.Contains("check TELNYX_API_KEY", failure!.Reason, StringComparison.Ordinal);
        Assert.DoesNotContain("test-key", failure.Reason, StringComparison.Ordinal);
        Assert.Single(_telnyx.Requests);
    }
}
