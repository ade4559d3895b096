using System.Collections.Concurrent;
using ConferenceDemo.Hosting;
using Serilog.Core;
using Serilog.Events;

namespace ConferenceDemo.Tests.Infrastructure;

/// <summary>
/// A Serilog sink the server picks up from DI: it sees every event after the server's enrichers, exactly as the
/// console sink does, and renders it with the server's own formatters.
/// </summary>
public sealed class LogCapture : ILogEventSink
{
    private readonly ConcurrentQueue<LogEvent> _events = new();

    public IReadOnlyList<LogEvent> Events => [.. _events];

    public void Emit(LogEvent logEvent) => _events.Enqueue(logEvent);

    /// <summary>Every event as the console would print it in <paramref name="format"/>.</summary>
    public string Render(LogFormat format)
    {
        var formatter = LoggingExtensions.Formatter(format);
        using var writer = new StringWriter();
        foreach (var e in Events)
        {
            formatter.Format(e, writer);
        }

        return writer.ToString();
    }

    public IReadOnlyList<LogEvent> WithEventId(int id) =>
        [.. Events.Where(e => e.Properties.TryGetValue("EventId", out var v) && v is StructureValue s
            && s.Properties.Any(p => p.Name == "Id" && p.Value is ScalarValue { Value: int i } && i == id))];
}
