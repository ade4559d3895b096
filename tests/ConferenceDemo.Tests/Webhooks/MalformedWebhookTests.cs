using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using ConferenceDemo.Tests.Infrastructure;
using static ConferenceDemo.Tests.Infrastructure.CallSteps;
using static ConferenceDemo.Tests.Infrastructure.TelnyxWebhooks;

namespace ConferenceDemo.Tests.Webhooks;

/// <summary>
/// Correctly signed but malformed webhooks: every fixture, with bad bytes, a lone surrogate or trailing data in each
/// field the server reads. Each gets a 4xx with its reason (never a 5xx, which Telnyx would redeliver forever), and
/// no id that could change a Telnyx URL ever reaches Telnyx.
/// </summary>
public sealed class MalformedWebhookTests : IAsyncLifetime
{
    private const string Marker = "@@FIELD@@";
    private readonly ConferenceDemoApplication _app = new();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _app.DisposeAsync();

    /// <summary>The fields the parser reads: (object, name); "data" is data, "payload" is data.payload.</summary>
    private static readonly (string Where, string Name)[] ReadFields =
    [
        ("data", "event_type"), ("data", "id"), ("payload", "call_control_id"), ("payload", "conference_id"), ("payload", "client_state"),
        ("payload", "direction"), ("payload", "from"), ("payload", "to"), ("payload", "hangup_cause"),
    ];

    private static IEnumerable<string> EventTypes =>
        Directory.GetFiles(FixturePath("webhooks"), "*.json").Select(f => Path.GetFileNameWithoutExtension(f)!).Order();

    /// <summary>The fixture with one field's value replaced by the marker, as UTF-8 bytes, so raw bytes can go in its place.</summary>
    private static byte[] WithMarker(string eventType, string where, string name, string prefix)
    {
        var root = JsonNode.Parse(Fixture(eventType))!;
        var target = where == "data" ? root["data"]! : root["data"]!["payload"]!;
        target[name] = prefix + Marker;
        return Encoding.UTF8.GetBytes(root.ToJsonString());
    }

    private static byte[] Replace(byte[] body, byte[] with)
    {
        var text = Encoding.UTF8.GetBytes(Marker);
        var at = body.AsSpan().IndexOf(text);
        return [.. body.AsSpan(0, at), .. with, .. body.AsSpan(at + text.Length)];
    }

    public static TheoryData<string, string> EveryReadField()
    {
        var data = new TheoryData<string, string>();
        foreach (var (where, name) in ReadFields)
        {
            data.Add(where, name);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(EveryReadField))]
    public async Task BadUnicodeInAReadField_Answers400NotValidUtf8InEveryFixture(string where, string name)
    {
        byte[][] badValues =
        [
            [0xFF, 0xFE],                          // never valid in UTF-8
            [0xC3],                                // a cut-off two-byte sequence
            [0xED, 0xA0, 0x80],                    // a surrogate encoded as UTF-8
            Encoding.ASCII.GetBytes("\\ud800"),    // the JSON escape of a lone high surrogate
            Encoding.ASCII.GetBytes("\\udc00x"),   // a lone low surrogate
        ];

        foreach (var (eventType, bad) in EventTypes.SelectMany(e => badValues.Select(b => (e, b))))
        {
            var body = Replace(WithMarker(eventType, where, name, "v3:"), bad);

            using var response = await _app.PostWebhookAsync(body);

            Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{eventType} {name} {Convert.ToHexString(bad)}: {(int)response.StatusCode}");
            Assert.Equal("bad webhook: body is not valid UTF-8 JSON", await response.Content.ReadAsStringAsync());
        }

        await _app.WhenIdleAsync();
        Assert.Empty(_app.Telnyx.Requests);
    }

    [Theory]
    [MemberData(nameof(EveryReadField))]
    public async Task TrailingDataInAReadField_NeverAnswers5xxInAnyFixture(string where, string name)
    {
        string[] trailing = ["\\n", " ", "\\r\\nforged: line", "\\u0000", "/..", "\\t"];
        foreach (var (eventType, tail) in EventTypes.SelectMany(e => trailing.Select(t => (e, t))))
        {
            var body = Replace(WithMarker(eventType, where, name, "v3:abc"), Encoding.ASCII.GetBytes(tail));

            using var response = await _app.PostWebhookAsync(body);

            Assert.True((int)response.StatusCode is 200 or 400, $"{eventType} {name} + '{tail}': {(int)response.StatusCode}");
        }

        await _app.WhenIdleAsync();
        Assert.DoesNotContain(_app.Telnyx.Requests, r => r.Path.Contains("%0A", StringComparison.Ordinal) || r.Path.Contains("..", StringComparison.Ordinal)
            || r.Path.Contains("%2F", StringComparison.OrdinalIgnoreCase) || r.Path.Contains("%20", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ContentAfterTheJsonValue_Answers400InEveryFixture()
    {
        foreach (var (eventType, tail) in EventTypes.SelectMany(e => new[] { "x", "{}", "[1]", "\"more\"", "}" }.Select(t => (e, t))))
        {
            using var response = await _app.PostWebhookAsync(Fixture(eventType) + tail);

            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            Assert.Equal("bad webhook: content after the JSON value", await response.Content.ReadAsStringAsync());
        }

        using var whitespace = await _app.PostWebhookAsync(Initiated(A) + " \r\n\t");
        Assert.Equal(HttpStatusCode.OK, whitespace.StatusCode);
    }

    [Fact]
    public async Task MissingDataId_Answers400InEveryFixture_AndIsNotApplied()
    {
        foreach (var eventType in EventTypes)
        {
            var root = JsonNode.Parse(Fixture(eventType))!;
            root["data"]!.AsObject().Remove("id");

            using var response = await _app.PostWebhookAsync(root.ToJsonString());

            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            Assert.Equal("bad webhook: missing data.id", await response.Content.ReadAsStringAsync());
        }

        await _app.WhenIdleAsync();
        Assert.Empty(_app.Telnyx.Requests);
    }

    [Fact]
    public async Task FloorChangedWithoutTheWrapperOrAnId_Answers400()
    {
        using var response = await _app.PostWebhookAsync("""{"event_type":"conference.floor.changed","payload":{"call_control_id":"v3:x"}}""");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("bad webhook: missing data.id", await response.Content.ReadAsStringAsync());
    }

    public static TheoryData<string, string> DotsAndSlashesInEveryIdField()
    {
        var data = new TheoryData<string, string>();
        foreach (var id in new[] { "..", ".", "/", "a/b", "v3:x/../answer", "v3:x%2F..", "v3:x?y", "v3:x#y", "v3:x\\y" })
        {
            data.Add("call_control_id", id);
            data.Add("conference_id", id);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(DotsAndSlashesInEveryIdField))]
    public async Task DotOrSlashIds_Answer400InEveryEvent_AndNeverReachTelnyx(string field, string id)
    {
        // A room where every command path is in use: a conference, and a participant on hold.
        await FirstCallerOpensConferenceAsync(_app);
        _app.Telnyx.TakeNew();

        foreach (var eventType in EventTypes)
        {
            var body = Event(eventType, new Dictionary<string, string?> { [field] = id });

            using var response = await _app.PostWebhookAsync(body);

            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            Assert.Equal($"bad webhook: {field} is not a Telnyx id (1 to 256 letters, digits, '-', '_' or ':')",
                await response.Content.ReadAsStringAsync());
        }

        await _app.WhenIdleAsync();
        Assert.Empty(_app.Telnyx.TakeNew());
        Assert.Contains((await _app.RoomAsync()).Participants, p => p.CallControlId == A);
    }
}
