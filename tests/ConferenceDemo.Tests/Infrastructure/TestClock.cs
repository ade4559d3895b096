namespace ConferenceDemo.Tests.Infrastructure;

/// <summary>A clock the test sets; the server reads "now" from it to check webhook timestamps.</summary>
public sealed class TestClock(DateTimeOffset now) : TimeProvider
{
    public DateTimeOffset Now { get; set; } = now;

    public override DateTimeOffset GetUtcNow() => Now;
}
