using ConferenceDemo.Hosting;
using Serilog.Events;
using Serilog.Parsing;

namespace ConferenceDemo.Tests.Hosting;

public sealed class ControlCharacterEscaperTests
{
    [Theory]
    [InlineData("v3:abc", "v3:abc")]
    [InlineData("a\nb", "a\\nb")]
    [InlineData("a\r\nb", "a\\r\\nb")]
    [InlineData("tab\there", "tab\\there")]
    [InlineData("nul\0bell\u0007esc\u001b", "nul\\u0000bell\\u0007esc\\u001B")]
    [InlineData("del\u007f next\u0085 csi\u009b", "del\\u007F next\\u0085 csi\\u009B")]
    [InlineData("line\u2028para\u2029", "line\\u2028para\\u2029")]
    [InlineData("ünïcödé €", "ünïcödé €")]
    public void Escape_TurnsEveryControlCharacterIntoVisibleText(string input, string expected) =>
        Assert.Equal(expected, ControlCharacterEscaper.Escape(input));

    [Fact]
    public void Escape_WithNothingToEscape_ReturnsTheSameString()
    {
        var text = "v3:nothing-to-escape";
        Assert.Same(text, ControlCharacterEscaper.Escape(text));
    }

    [Theory]
    [InlineData(LogFormat.Text)]
    [InlineData(LogFormat.Json)]
    public void AForgedLineInAValue_StaysOnTheEventsOwnLine(LogFormat format)
    {
        var forged = "v3:x\n[2026-01-01 00:00:00.000 +00:00 INF] ConferenceDemo: owner signed in\u2028";
        var logEvent = new LogEvent(DateTimeOffset.UnixEpoch, LogEventLevel.Information, null,
            new MessageTemplateParser().Parse("Webhook for {CallControlId} with {Tags} and {Fields}"),
            [
                new LogEventProperty("CallControlId", new ScalarValue(forged)),
                new LogEventProperty("Tags", new SequenceValue([new ScalarValue("a\rb")])),
                new LogEventProperty("Fields", new StructureValue([new LogEventProperty("From", new ScalarValue("+1\n+2"))])),
            ]);

        new ControlCharacterEscaper().Enrich(logEvent, null!);
        using var writer = new StringWriter();
        LoggingExtensions.Formatter(format).Format(logEvent, writer);
        var output = writer.ToString();

        Assert.Single(output.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.DoesNotContain('\r', output);
        Assert.DoesNotContain('\u2028', output);
        Assert.Contains(format == LogFormat.Text ? @"v3:x\n[2026" : @"v3:x\\n[2026", output);
    }
}
