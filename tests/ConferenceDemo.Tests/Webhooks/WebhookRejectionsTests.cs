using ConferenceDemo.Webhooks;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;

namespace ConferenceDemo.Tests.Webhooks;

public sealed class WebhookRejectionsTests
{
    private sealed class ListLogger : ILogger<WebhookRejections>
    {
        public List<(int Id, string Text)> Lines { get; } = [];

        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            lock (Lines)
            {
                Lines.Add((eventId.Id, formatter(state, exception)));
            }
        }
    }

    [Fact]
    public void AFlood_IsOneLineWithTheFirstExample_ThenOneCountPerCausePerInterval()
    {
        var clock = new FakeTimeProvider();
        var logger = new ListLogger();
        using var rejections = new WebhookRejections(clock, logger);

        for (var i = 0; i < 1000; i++)
        {
            rejections.Record("invalid signature: signature does not match", "check TELNYX_PUBLIC_KEY", $"10.0.0.{i % 250}");
        }

        rejections.Record("invalid signature: timestamp too old", "run NTP", "10.0.0.9");

        Assert.Equal(2, logger.Lines.Count);
        Assert.All(logger.Lines, l => Assert.Equal(1030, l.Id));
        Assert.Contains("signature does not match (from 10.0.0.0)", logger.Lines[0].Text);

        clock.Advance(WebhookRejections.Interval);

        var counts = logger.Lines.Where(l => l.Id == 1031).Select(l => l.Text).ToList();
        Assert.Equal(["1000 webhooks rejected in the last 60 s: invalid signature: signature does not match"], counts);

        // The next interval starts afresh: its first rejection is logged with its example again.
        rejections.Record("invalid signature: signature does not match", "check TELNYX_PUBLIC_KEY", "10.0.0.77");
        Assert.Contains("(from 10.0.0.77)", logger.Lines[^1].Text);
        clock.Advance(WebhookRejections.Interval);
        Assert.Single(logger.Lines, l => l.Id == 1031);
    }

    [Fact]
    public void CausesBeyondTheCap_AreCountedTogether()
    {
        var clock = new FakeTimeProvider();
        var logger = new ListLogger();
        using var rejections = new WebhookRejections(clock, logger);

        for (var i = 0; i < 500; i++)
        {
            rejections.Record($"cause {i}", "remedy", "client");
        }

        Assert.Equal(65, logger.Lines.Count);
        clock.Advance(WebhookRejections.Interval);
        Assert.Contains(logger.Lines, l => l.Text == "436 webhooks rejected in the last 60 s: other causes");
    }
}
