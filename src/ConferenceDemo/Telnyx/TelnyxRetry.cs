using System.Globalization;

namespace ConferenceDemo.Telnyx;

/// <summary>When a failed Telnyx command is tried again, and after how long.</summary>
internal static class TelnyxRetry
{
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(10);

    /// <summary>Statuses that may succeed on a second try: rate limited, request timeout, server errors.</summary>
    public static bool IsRetryableStatus(int status) => status is 408 or 429 or >= 500;

    /// <summary>
    /// The wait before attempt <paramref name="attempt"/> + 1: what the server asked for (Retry-After or
    /// x-ratelimit-reset), else exponential backoff from the base delay with ±50% jitter, at most 10 s.
    /// </summary>
    public static TimeSpan Delay(int attempt, TelnyxOptions options, TimeSpan? serverRequested)
    {
        if (serverRequested is { } requested)
        {
            return requested;
        }

        var exponential = options.RetryBaseDelayMilliseconds * Math.Pow(2, attempt - 1);
        var jittered = exponential * (0.5 + Random.Shared.NextDouble());
        return TimeSpan.FromMilliseconds(Math.Min(jittered, MaxBackoff.TotalMilliseconds));
    }

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
}
