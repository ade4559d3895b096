using System.Globalization;
using System.Net;
using Microsoft.Extensions.Http.Resilience;
using Microsoft.Extensions.Options;
using Polly;
using Polly.Retry;
using Polly.Timeout;

namespace ConferenceDemo.Telnyx;

/// <summary>
/// Retries of Telnyx commands, on the typed client's handler chain: a total budget
/// (<see cref="TelnyxOptions.RetryBudgetSeconds"/>) around retries (<see cref="TelnyxOptions.RetryMaxAttempts"/>,
/// exponential backoff with jitter from <see cref="TelnyxOptions.RetryBaseDelayMilliseconds"/>, at most 10 s, or the
/// wait Telnyx asks for) around a per-attempt timeout (<see cref="TelnyxOptions.CommandTimeoutSeconds"/>). All waits
/// run on the <see cref="TimeProvider"/> in DI. Every attempt sends the same request, so the same command_id.
/// </summary>
internal static partial class TelnyxResilience
{
    /// <summary>When the command started (a <see cref="TimeProvider"/> timestamp): the budget is measured from it.</summary>
    public static readonly HttpRequestOptionsKey<long> Started = new("ConferenceDemo.Telnyx.Started");

    /// <summary>How many attempts were made.</summary>
    public static readonly HttpRequestOptionsKey<int> Attempts = new("ConferenceDemo.Telnyx.Attempts");

    /// <summary>Set when Telnyx asked for a wait longer than what is left of the budget: the command fails at once.</summary>
    public static readonly HttpRequestOptionsKey<TimeSpan> WaitBeyondBudget = new("ConferenceDemo.Telnyx.WaitBeyondBudget");

    private static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(10);

    public static IHttpClientBuilder AddTelnyxResilience(this IHttpClientBuilder builder)
    {
        builder.AddResilienceHandler("telnyx", (pipeline, context) =>
        {
            var options = context.ServiceProvider.GetRequiredService<IOptions<TelnyxOptions>>().Value;
            var time = context.ServiceProvider.GetRequiredService<TimeProvider>();
            var logger = context.ServiceProvider.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(TelnyxClient));
            var budget = TimeSpan.FromSeconds(options.RetryBudgetSeconds);

            pipeline.TimeProvider = time;
            pipeline.AddTimeout(budget);
            if (options.RetryMaxAttempts > 1)
            {
                pipeline.AddRetry(new HttpRetryStrategyOptions
                {
                    MaxRetryAttempts = options.RetryMaxAttempts - 1,
                    BackoffType = DelayBackoffType.Exponential,
                    UseJitter = true,
                    Delay = TimeSpan.FromMilliseconds(options.RetryBaseDelayMilliseconds),
                    MaxDelay = MaxBackoff,
                    ShouldRetryAfterHeader = false, // DelayGenerator reads Retry-After and x-ratelimit-reset
                    ShouldHandle = args => ValueTask.FromResult(ShouldRetry(args.Outcome, args.Context, time, budget)),
                    DelayGenerator = args => ValueTask.FromResult(
                        args.Outcome.Result is { } response ? ServerRequestedDelay(response, time.GetUtcNow()) : null),
                    OnRetry = args =>
                    {
                        var request = args.Context.GetRequestMessage();
                        request?.Options.Set(Attempts, args.AttemptNumber + 2);
                        Log.Retrying(logger, request?.RequestUri?.AbsolutePath ?? "", Describe(args.Outcome), args.AttemptNumber + 1,
                            args.RetryDelay.TotalMilliseconds);
                        return ValueTask.CompletedTask;
                    },
                });
            }

            pipeline.AddTimeout(TimeSpan.FromSeconds(options.CommandTimeoutSeconds));
        });
        return builder;
    }

    /// <summary>Statuses that may succeed on a second try: rate limited, request timeout, server errors.</summary>
    public static bool IsRetryableStatus(HttpStatusCode status) => (int)status is 408 or 429 or >= 500;

    /// <summary>Retry-After (seconds or an HTTP date), else Telnyx's x-ratelimit-reset (seconds until the window resets).</summary>
    public static TimeSpan? ServerRequestedDelay(HttpResponseMessage response, DateTimeOffset now)
    {
        if (response.Headers.RetryAfter is { } retryAfter)
        {
            if (retryAfter.Delta is { } delta)
            {
                return delta < TimeSpan.Zero ? TimeSpan.Zero : delta;
            }

            if (retryAfter.Date is { } date)
            {
                return date > now ? date - now : TimeSpan.Zero;
            }
        }

        if (response.Headers.TryGetValues("x-ratelimit-reset", out var values)
            && double.TryParse(values.FirstOrDefault(), NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds)
            && seconds >= 0 && seconds < 3600)
        {
            return TimeSpan.FromSeconds(seconds);
        }

        return null;
    }

    private static bool ShouldRetry(Outcome<HttpResponseMessage> outcome, ResilienceContext context, TimeProvider time, TimeSpan budget)
    {
        if (outcome.Exception is HttpRequestException or TimeoutRejectedException)
        {
            return true;
        }

        if (outcome.Result is not { } response || !IsRetryableStatus(response.StatusCode))
        {
            return false;
        }

        // A wait Telnyx asks for that the budget cannot hold: fail now rather than wait and fail anyway.
        var request = context.GetRequestMessage();
        if (ServerRequestedDelay(response, time.GetUtcNow()) is { } wait && request is not null
            && request.Options.TryGetValue(Started, out var started) && wait >= budget - time.GetElapsedTime(started))
        {
            request.Options.Set(WaitBeyondBudget, wait);
            return false;
        }

        return true;
    }

    private static string Describe(Outcome<HttpResponseMessage> outcome) => outcome switch
    {
        { Exception: TimeoutRejectedException } => "no answer within the attempt timeout",
        { Exception: { } ex } => ex.Message,
        { Result: { } r } => $"HTTP {(int)r.StatusCode} {r.ReasonPhrase}",
        _ => "unknown",
    };

    private static partial class Log
    {
        [LoggerMessage(EventId = 1112, EventName = "TelnyxCommandRetrying", Level = LogLevel.Warning,
            Message = "Telnyx {Path} failed: {Reason} (attempt {Attempt}); retrying in {DelayMs:0} ms")]
        public static partial void Retrying(ILogger logger, string path, string reason, int attempt, double delayMs);
    }
}
