using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace ConferenceDemo.Tests.Infrastructure;

/// <summary>
/// Webhook bodies made from Telnyx's own payload fixtures (Fixtures/webhooks), with the fields a scenario cares
/// about replaced and a fresh data.id each time.
/// </summary>
public static class TelnyxWebhooks
{
    private static readonly JsonSerializerOptions Compact = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static string FixturePath(params string[] parts) =>
        Path.Combine([AppContext.BaseDirectory, "Fixtures", .. parts]);

    public static string Fixture(string eventType) => File.ReadAllText(FixturePath("webhooks", eventType + ".json"));

    /// <summary>The fixture for <paramref name="eventType"/> with payload fields replaced (null removes a field).</summary>
    public static string Event(string eventType, IReadOnlyDictionary<string, string?> payload)
    {
        var root = JsonNode.Parse(Fixture(eventType))!;
        root["data"]!["id"] = Guid.NewGuid().ToString();
        var fields = root["data"]!["payload"]!.AsObject();
        foreach (var (name, value) in payload)
        {
            if (value is null)
            {
                fields.Remove(name);
            }
            else
            {
                fields[name] = value;
            }
        }

        return root.ToJsonString(Compact);
    }

    public static string Initiated(string ccid, string direction = "incoming", string from = "+15550000001", string to = "+15559990000",
        string? clientState = null) =>
        Event("call.initiated", new Dictionary<string, string?>
        {
            ["call_control_id"] = ccid, ["direction"] = direction, ["from"] = from, ["to"] = to, ["client_state"] = clientState,
        });

    public static string Answered(string ccid, string from, string to = "+15559990000", string? clientState = null) =>
        Event("call.answered", new Dictionary<string, string?>
        {
            ["call_control_id"] = ccid, ["from"] = from, ["to"] = to, ["client_state"] = clientState,
        });

    public static string Created(string conferenceId, string ccid) =>
        Event("conference.created", new Dictionary<string, string?> { ["call_control_id"] = ccid, ["conference_id"] = conferenceId });

    public static string Joined(string ccid, string conferenceId) =>
        Event("conference.participant.joined", new Dictionary<string, string?> { ["call_control_id"] = ccid, ["conference_id"] = conferenceId });

    public static string Left(string ccid, string conferenceId) =>
        Event("conference.participant.left", new Dictionary<string, string?> { ["call_control_id"] = ccid, ["conference_id"] = conferenceId });

    public static string Hangup(string ccid) =>
        Event("call.hangup", new Dictionary<string, string?> { ["call_control_id"] = ccid, ["client_state"] = null });

    public static string SpeakEnded(string ccid) =>
        Event("call.speak.ended", new Dictionary<string, string?> { ["call_control_id"] = ccid });

    public static string GatherEnded(string ccid, string digits, string status = "valid", string? clientState = null) =>
        Event("call.gather.ended", new Dictionary<string, string?>
        {
            ["call_control_id"] = ccid, ["digits"] = digits, ["status"] = status, ["client_state"] = clientState,
        });

    public static string Ended(string conferenceId, string ccid) =>
        Event("conference.ended", new Dictionary<string, string?> { ["call_control_id"] = ccid, ["conference_id"] = conferenceId });
}
