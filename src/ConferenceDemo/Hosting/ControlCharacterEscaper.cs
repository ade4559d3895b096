using System.Globalization;
using System.Text;
using Serilog.Core;
using Serilog.Events;

namespace ConferenceDemo.Hosting;

/// <summary>
/// Escapes control characters in every string a log event carries (CR, LF, the rest of C0, DEL, C1, U+2028 and
/// U+2029), so a value taken from a request, even a signed one, cannot start a new log line or hide text.
/// Runs last among the enrichers, on every event, whichever sink follows.
/// </summary>
public sealed class ControlCharacterEscaper : ILogEventEnricher
{
    public void Enrich(LogEvent logEvent, ILogEventPropertyFactory propertyFactory)
    {
        List<LogEventProperty>? changed = null;
        foreach (var (name, value) in logEvent.Properties)
        {
            var escaped = Escape(value);
            if (!ReferenceEquals(escaped, value))
            {
                (changed ??= []).Add(new LogEventProperty(name, escaped));
            }
        }

        foreach (var property in changed ?? [])
        {
            logEvent.AddOrUpdateProperty(property);
        }
    }

    public static bool NeedsEscape(char c) => c < ' ' || c is >= '\u007F' and <= '\u009F' or '\u2028' or '\u2029';

    /// <summary>The text with each control character as \r, \n, \t or \uXXXX; the same instance when there is none.</summary>
    public static string Escape(string text)
    {
        var first = -1;
        for (var i = 0; i < text.Length; i++)
        {
            if (NeedsEscape(text[i]))
            {
                first = i;
                break;
            }
        }

        if (first < 0)
        {
            return text;
        }

        var builder = new StringBuilder(text.Length + 16).Append(text, 0, first);
        for (var i = first; i < text.Length; i++)
        {
            var c = text[i];
            _ = c switch
            {
                '\r' => builder.Append("\\r"),
                '\n' => builder.Append("\\n"),
                '\t' => builder.Append("\\t"),
                _ when NeedsEscape(c) => builder.Append("\\u").Append(((int)c).ToString("X4", CultureInfo.InvariantCulture)),
                _ => builder.Append(c),
            };
        }

        return builder.ToString();
    }

    private static LogEventPropertyValue Escape(LogEventPropertyValue value)
    {
        switch (value)
        {
            case ScalarValue { Value: string s }:
                var escaped = Escape(s);
                return ReferenceEquals(escaped, s) ? value : new ScalarValue(escaped);
            case SequenceValue sequence:
                var elements = sequence.Elements.Select(Escape).ToList();
                return elements.SequenceEqual(sequence.Elements) ? value : new SequenceValue(elements);
            case StructureValue structure:
                var properties = structure.Properties.Select(p => new { p, v = Escape(p.Value) }).ToList();
                return properties.All(x => ReferenceEquals(x.v, x.p.Value))
                    ? value
                    : new StructureValue(properties.Select(x => new LogEventProperty(x.p.Name, x.v)), structure.TypeTag);
            case DictionaryValue dictionary:
                var entries = dictionary.Elements.Select(e => new KeyValuePair<ScalarValue, LogEventPropertyValue>(
                    (ScalarValue)Escape(e.Key), Escape(e.Value))).ToList();
                return entries.Zip(dictionary.Elements).All(x => ReferenceEquals(x.First.Key, x.Second.Key) && ReferenceEquals(x.First.Value, x.Second.Value))
                    ? value
                    : new DictionaryValue(entries);
            default:
                return value;
        }
    }
}
