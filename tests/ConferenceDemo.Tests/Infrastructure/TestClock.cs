using System.Collections.Concurrent;

namespace ConferenceDemo.Tests.Infrastructure;

/// <summary>
/// A clock the test sets; the server reads "now" from it to check webhook timestamps and to age dedupe ids. Waits
/// (Task.Delay on this clock, e.g. retry backoff) are recorded in <see cref="Delays"/> and end at once, so tests
/// check how long the server chose to wait without waiting.
/// </summary>
public sealed class TestClock(DateTimeOffset now) : TimeProvider
{
    public DateTimeOffset Now { get; set; } = now;

    public ConcurrentQueue<TimeSpan> Delays { get; } = new();

    public override DateTimeOffset GetUtcNow() => Now;

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        Delays.Enqueue(dueTime);
        return base.CreateTimer(callback, state, TimeSpan.Zero, period);
    }
}
