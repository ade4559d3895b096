using System.Diagnostics.CodeAnalysis;
using System.Text.Json;
using System.Text.Unicode;
using ConferenceDemo.Telnyx;

namespace ConferenceDemo.Webhooks;

/// <summary>
/// The parts of a Telnyx Call Control v2 webhook this server reads. Everything in a payload is optional in
/// Telnyx's schemas; what an event needs is checked by whoever handles it.
/// </summary>
public sealed record TelnyxEvent(string EventType, string? Id, EventPayload Payload);

public sealed record EventPayload(
    string? CallControlId = null,
    string? ConferenceId = null,
    string? ClientState = null,
    string? Direction = null,
    string? From = null,
    string? To = null,
    string? HangupCause = null,
    string? Digits = null,
    string? Status = null,
    string? Reason = null);

/// <summary>Reads the verified raw body into a <see cref="TelnyxEvent"/>, or says in one line why it cannot.</summary>
public static class TelnyxEventParser
{
    public static bool TryParse(ReadOnlySpan<byte> body, [NotNullWhen(true)] out TelnyxEvent? telnyxEvent,
        [NotNullWhen(false)] out string? error)
    {
        telnyxEvent = null;
        if (body.IsEmpty)
        {
            error = "empty body";
            return false;
        }

        if (!IsWellFormed(body, out error))
        {
            return false;
        }

        JsonDocument document;
        try
        {
            var reader = new Utf8JsonReader(body, Options);
            document = JsonDocument.ParseValue(ref reader);
        }
        catch (JsonException)
        {
            error = NotJson;
            return false;
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                error = "body must be a JSON object";
                return false;
            }

            // Telnyx's spec models conference.floor.changed without the "data" wrapper; accept both shapes.
            JsonElement data;
            if (!root.TryGetProperty("data", out data) || data.ValueKind != JsonValueKind.Object)
            {
                if (Text(root, "event_type") == "conference.floor.changed")
                {
                    data = root;
                }
                else
                {
                    error = "missing data";
                    return false;
                }
            }

            if (!TryText(data, "event_type", out var eventType, out error) || string.IsNullOrEmpty(eventType))
            {
                error ??= "missing data.event_type";
                return false;
            }

            if (!TryText(data, "id", out var id, out error))
            {
                error ??= "malformed data.id";
                return false;
            }

            if (!data.TryGetProperty("payload", out var payload) || payload.ValueKind != JsonValueKind.Object)
            {
                error = "missing data.payload";
                return false;
            }

            string? ccid = null, conferenceId = null, clientState = null, direction = null, from = null, to = null, cause = null,
                digits = null, status = null, reason = null;
            if (!TryText(payload, "call_control_id", out ccid, out error)
                || !TryText(payload, "conference_id", out conferenceId, out error)
                || !TryText(payload, "client_state", out clientState, out error)
                || !TryText(payload, "direction", out direction, out error)
                || !TryText(payload, "from", out from, out error)
                || !TryText(payload, "to", out to, out error)
                || !TryText(payload, "hangup_cause", out cause, out error)
                || !TryText(payload, "digits", out digits, out error)
                || !TryText(payload, "status", out status, out error)
                || !TryText(payload, "reason", out reason, out error))
            {
                error ??= "malformed data.payload";
                return false;
            }

            if (!TelnyxIds.IsValid(ccid ?? "x") || !TelnyxIds.IsValid(conferenceId ?? "x"))
            {
                error = $"{(TelnyxIds.IsValid(ccid ?? "x") ? "conference_id" : "call_control_id")} is not a Telnyx id ({TelnyxIds.Rule})";
                return false;
            }

            // The id is what makes a redelivery recognisable; an event without one could be applied many times.
            if (string.IsNullOrEmpty(id))
            {
                error = "missing data.id";
                return false;
            }

            if (id.Length > TelnyxIds.MaxLength)
            {
                error = $"data.id is longer than {TelnyxIds.MaxLength} characters";
                return false;
            }

            telnyxEvent = new TelnyxEvent(eventType, id, new EventPayload(ccid, conferenceId, clientState, direction, from, to, cause, digits, status, reason));
            error = null;
            return true;
        }
    }

    public const string NotUtf8 = "body is not valid UTF-8 JSON";
    private const string NotJson = "body is not JSON";
    private static readonly JsonReaderOptions Options = new() { MaxDepth = 32 };

    /// <summary>
    /// One pass over every token before anything is read: the bytes are UTF-8, every escaped string (names too)
    /// decodes to valid UTF-16 (a lone "\ud800" does not), and nothing but white space follows the JSON value.
    /// </summary>
    private static bool IsWellFormed(ReadOnlySpan<byte> body, [NotNullWhen(false)] out string? error)
    {
        if (!Utf8.IsValid(body))
        {
            error = NotUtf8;
            return false;
        }

        var reader = new Utf8JsonReader(body, Options);
        var complete = false; // the root value has been read in full
        try
        {
            while (reader.Read())
            {
                if (reader.TokenType is JsonTokenType.String or JsonTokenType.PropertyName && reader.ValueIsEscaped)
                {
                    _ = reader.GetString();
                }

                complete = reader.CurrentDepth == 0 && reader.TokenType is not (JsonTokenType.StartObject or JsonTokenType.StartArray);
            }
        }
        catch (InvalidOperationException)
        {
            error = NotUtf8; // an escape that is not a whole UTF-16 character
            return false;
        }
        catch (JsonException)
        {
            error = complete ? "content after the JSON value" : NotJson;
            return false;
        }

        error = null;
        return true;
    }

    private static string? Text(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    /// <summary>A string property, absent or null allowed; any other JSON type is an error naming the field.</summary>
    private static bool TryText(JsonElement element, string name, out string? value, out string? error)
    {
        value = null;
        error = null;
        if (!element.TryGetProperty(name, out var property) || property.ValueKind == JsonValueKind.Null)
        {
            return true;
        }

        if (property.ValueKind != JsonValueKind.String)
        {
            error = $"{name} must be a string";
            return false;
        }

        value = property.GetString();
        return true;
    }
}
