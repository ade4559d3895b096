namespace ConferenceDemo.Webhooks;

/// <summary>
/// Logs rejected webhooks without letting a flood of them flood the log: the first rejection of each cause in an
/// interval is logged with its example and what to do, the rest are counted and logged as one line when the
/// interval ends.
/// </summary>
public sealed partial class WebhookRejections : IDisposable
{
    public static readonly TimeSpan Interval = TimeSpan.FromMinutes(1);

    // Causes are short fixed texts; the cap only guards against a cause that would carry request content.
    private const int MaxCauses = 64;
    private const string OtherCause = "other causes";

    private readonly Lock _gate = new();
    private readonly Dictionary<string, int> _counts = new(StringComparer.Ordinal);
    private readonly ILogger<WebhookRejections> _logger;
    private readonly ITimer _timer;

    public WebhookRejections(TimeProvider clock, ILogger<WebhookRejections> logger)
    {
        _logger = logger;
        _timer = clock.CreateTimer(_ => Flush(), null, Interval, Interval);
    }

    /// <summary>Counts one rejection; logs it only when it is the first of its cause in this interval.</summary>
    public void Record(string cause, string remedy, string client)
    {
        bool first;
        lock (_gate)
        {
            if (!_counts.ContainsKey(cause) && _counts.Count >= MaxCauses)
            {
                cause = OtherCause;
            }

            _counts.TryGetValue(cause, out var count);
            _counts[cause] = count + 1;
            first = count == 0;
        }

        if (first)
        {
            Log.First(_logger, cause, client, remedy, (int)Interval.TotalSeconds);
        }
    }

    /// <summary>Logs the counts of the interval that ends now, and starts the next one.</summary>
    internal void Flush()
    {
        KeyValuePair<string, int>[] counts;
        lock (_gate)
        {
            counts = [.. _counts];
            _counts.Clear();
        }

        foreach (var (cause, count) in counts)
        {
            if (count > 1)
            {
                Log.Count(_logger, count, (int)Interval.TotalSeconds, cause);
            }
        }
    }

    public void Dispose() => _timer.Dispose();

    private static partial class Log
    {
        [LoggerMessage(EventId = 1030, EventName = "WebhookRejected", Level = LogLevel.Warning,
            Message = "Webhook rejected: {Cause} (from {Client}); {Remedy}. Further rejections for this cause are counted for up to {IntervalSeconds} s")]
        public static partial void First(ILogger logger, string cause, string client, string remedy, int intervalSeconds);

        [LoggerMessage(EventId = 1031, EventName = "WebhooksRejectedCount", Level = LogLevel.Warning,
            Message = "{Count} webhooks rejected in the last {IntervalSeconds} s: {Cause}")]
        public static partial void Count(ILogger logger, int count, int intervalSeconds, string cause);
    }
}
