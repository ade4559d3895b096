using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using ConferenceDemo.Rooms;
using ConferenceDemo.Tests.Infrastructure;
using static ConferenceDemo.Tests.Infrastructure.TelnyxWebhooks;
using static ConferenceDemo.Tests.Infrastructure.TwoRooms;

namespace ConferenceDemo.Tests.Rooms;

/// <summary>Several rooms on one server: routed by the number dialed, each with its own entry rules, none touching another.</summary>
public sealed class MultiRoomTests : IAsyncLifetime
{
    private const string S1 = "v3:support-1", S2 = "v3:support-2", A = "v3:default-A", P = "v3:sales-P";
    private readonly ConferenceDemoApplication _app = new();

    /// <summary>Ends the commands a test leaves hanging at Telnyx, before the host is stopped.</summary>
    private readonly CancellationTokenSource _release = new();

    public Task InitializeAsync()
    {
        Configure(_app);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await _release.CancelAsync();
        await _app.DisposeAsync();
        _release.Dispose();
    }

    private static string Create(string ccid, string room) =>
        $$"""{"call_control_id":"{{ccid}}","name":"{{room}}","client_state":"{{ClientStateTag.Seat(room)}}"}""";

    private async Task<JsonNode> RoomJsonAsync(string id)
    {
        using var client = _app.CreateControlClient();
        return JsonNode.Parse(await client.GetStringAsync($"/api/rooms/{id}"))!;
    }

    [Fact]
    public async Task TwoRooms_TakingInterleavedEvents_KeepTheirOwnConferences()
    {
        Expect.Commands(await _app.DeliverAsync(Initiated(S1, to: Support)), Expect.Answer(S1, "support"));
        Expect.Commands(await _app.DeliverAsync(Initiated(A)), Expect.Answer(A));
        Expect.Commands(await _app.DeliverAsync(Answered(S1, "+15550000011", Support)),
            Expect.SpeakFirst(S1), ("/v2/conferences", Create(S1, "support")));
        Expect.Commands(await _app.DeliverAsync(Answered(A, "+15550000001")), Expect.SpeakFirst(A), Expect.Create(A));
        Expect.Commands(await _app.DeliverAsync(Joined(A, "conf-2")), Expect.Hold("conf-2", A));
        Expect.Commands(await _app.DeliverAsync(Joined(S1, "conf-1")), Expect.Hold("conf-1", S1));
        Expect.Commands(await _app.DeliverAsync(Answered(S2, "+15550000012", Support)),
            Expect.SpeakLater(S2), (Expect.Conference("conf-1", "join"), $$"""{"call_control_id":"{{S2}}","client_state":"{{ClientStateTag.Seat("support")}}"}"""));
        Expect.Commands(await _app.DeliverAsync(Joined(S2, "conf-1")), Expect.Unhold("conf-1", S1));
        Expect.Commands(await _app.DeliverAsync(Left(A, "conf-2")));

        var support = await RoomJsonAsync("support");
        Assert.Equal("conf-1", support["conference_id"]!.GetValue<string>());
        Assert.Equal([S1, S2], support["participants"]!.AsArray().Select(p => p!["call_control_id"]!.GetValue<string>()));
        var main = await RoomJsonAsync("myconf");
        Assert.Null(main["conference_id"]);
        Assert.Empty(main["participants"]!.AsArray());
    }

    [Fact]
    public async Task ASlowCommandInOneRoom_DelaysNothingInTheOther()
    {
        _app.Telnyx.Respond = async (r, ct) =>
        {
            if (r.Body.Contains("\"name\":\"support\"", StringComparison.Ordinal))
            {
                using var hanging = CancellationTokenSource.CreateLinkedTokenSource(ct, _release.Token);
                await Task.Delay(Timeout.Infinite, hanging.Token);
            }

            return null;
        };
        using (var slow = await _app.PostWebhookAsync(Answered(S1, "+15550000011", Support)))
        {
            Assert.Equal(HttpStatusCode.OK, slow.StatusCode);
        }

        using (var other = await _app.PostWebhookAsync(Answered(A, "+15550000001")))
        {
            Assert.Equal(HttpStatusCode.OK, other.StatusCode);
        }

        var waited = Stopwatch.StartNew();
        while (!_app.Telnyx.Requests.Any(r => r.Path == "/v2/conferences" && r.Body.Contains("\"name\":\"myconf\"", StringComparison.Ordinal)))
        {
            Assert.True(waited.Elapsed < TimeSpan.FromSeconds(3), "the default room's create waited for the support room's");
            await Task.Delay(20);
        }
    }

    [Fact]
    public async Task PinRoom_ModeratorPin_OpensTheRoomWithItsOptions()
    {
        Expect.Commands(await _app.DeliverAsync(Initiated(P, to: Sales)), Expect.Answer(P, "sales"));
        Expect.Commands(await _app.DeliverAsync(Answered(P, "+15550000021", Sales)), (Expect.Call(P, "gather_using_speak"),
            """{"payload":"Please enter the conference PIN, then press pound.","voice":"female","language":"en-GB","maximum_digits":12,"terminating_digit":"#","valid_digits":"0123456789"}"""));
        Assert.Equal("entering_pin", (await RoomJsonAsync("sales"))["participants"]![0]!["status"]!.GetValue<string>());

        Expect.Commands(await _app.DeliverAsync(GatherEnded(P, "9876", clientState: ClientStateTag.Caller("sales"))), Expect.SpeakFirst(P),
            ("/v2/conferences", $$"""{"call_control_id":"{{P}}","name":"sales","client_state":"{{ClientStateTag.Seat("sales")}}","beep_enabled":"on_enter","max_participants":10}"""));

        var room = await RoomJsonAsync("sales");
        Assert.Equal("moderator", room["participants"]![0]!["role"]!.GetValue<string>());
        Assert.Equal("Sales weekly", room["name"]!.GetValue<string>());
        Assert.True(room["has_pin"]!.GetValue<bool>());
        Assert.DoesNotContain("1234", room.ToJsonString(), StringComparison.Ordinal);
        Assert.DoesNotContain("9876", room.ToJsonString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task PinRoom_WrongPinThreeTimes_SaysGoodbyeThenHangsUp()
    {
        var caller = ClientStateTag.Caller("sales");
        await _app.DeliverAsync(Answered(P, "+15550000021", Sales));
        Assert.Single(await _app.DeliverAsync(GatherEnded(P, "0000", clientState: caller)));
        Assert.Single(await _app.DeliverAsync(GatherEnded(P, "0001", clientState: caller)));

        Expect.Commands(await _app.DeliverAsync(GatherEnded(P, "0002", clientState: caller)), Expect.Speak(P, "That PIN is not right. Goodbye."));
        Expect.Commands(await _app.DeliverAsync(Event("call.speak.ended", new Dictionary<string, string?>
        {
            ["call_control_id"] = P, ["client_state"] = caller,
        })), Expect.Hangup(P));
        Assert.Empty((await RoomJsonAsync("sales"))["participants"]!.AsArray());
    }

    [Fact]
    public async Task RoomsApi_CreatesReplacesAndDeletesARoom_WhichCallsThenReach()
    {
        using var client = _app.CreateControlClient();
        var body = new { name = "Board", dial_in = new[] { "+15556660000" }, pin = "4321", max_participants = 5, join_muted = true };

        using (var created = await client.PutAsJsonAsync("/api/rooms/board", body))
        {
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
            var json = JsonNode.Parse(await created.Content.ReadAsStringAsync())!;
            Assert.True(json["has_pin"]!.GetValue<bool>());
            Assert.False(json["has_moderator_pin"]!.GetValue<bool>());
            Assert.DoesNotContain("4321", json.ToJsonString(), StringComparison.Ordinal);
        }

        using (var replaced = await client.PutAsJsonAsync("/api/rooms/board", body with { }))
        {
            Assert.Equal(HttpStatusCode.OK, replaced.StatusCode);
        }

        Expect.Commands(await _app.DeliverAsync(Initiated("v3:board-1", to: "+15556660000")), Expect.Answer("v3:board-1", "board"));
        Assert.Single((await RoomJsonAsync("board"))["participants"]!.AsArray().Where(_ => true).DefaultIfEmpty()); // answered, not yet listed
        await _app.DeliverAsync(Answered("v3:board-1", "+15550000031", "+15556660000"));
        using (var busy = await client.DeleteAsync("/api/rooms/board"))
        {
            Assert.Equal(HttpStatusCode.Conflict, busy.StatusCode);
        }

        await _app.DeliverAsync(Hangup("v3:board-1"));
        using (var deleted = await client.DeleteAsync("/api/rooms/board"))
        {
            Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        }

        using var gone = await client.GetAsync("/api/rooms/board");
        Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);
    }

    [Theory]
    [InlineData("""{"pin":"12"}""", "pin")]
    [InlineData("""{"moderator_pin":"12ab"}""", "moderator_pin")]
    [InlineData("""{"max_participants":801}""", "max_participants")]
    [InlineData("""{"beep":"sometimes"}""", "beep")]
    [InlineData("""{"dial_in":["+1555 1234567"]}""", "dial_in")]
    [InlineData("""{"dial_in":["+15557770000"]}""", "dial_in")]
    [InlineData("""{"hold_audio_url":"ftp://example.com/a.mp3"}""", "hold_audio_url")]
    [InlineData("""{"max_duration_minutes":0}""", "max_duration_minutes")]
    public async Task PutRoom_WithABadField_Answers400NamingIt(string json, string field)
    {
        using var client = _app.CreateControlClient();
        using var content = new StringContent(json, System.Text.Encoding.UTF8, "application/json");

        using var response = await client.PutAsync("/api/rooms/board", content);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        Assert.NotNull(problem["errors"]![field]);
    }

    [Theory]
    [InlineData("sales")]
    [InlineData("myconf")]
    public async Task RoomsFromTheSettings_CannotBeChangedThroughTheApi(string id)
    {
        using var client = _app.CreateControlClient();

        using var put = await client.PutAsJsonAsync($"/api/rooms/{id}", new { name = "x" });
        using var delete = await client.DeleteAsync($"/api/rooms/{id}");

        Assert.Equal(HttpStatusCode.Conflict, put.StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, delete.StatusCode);
    }

    [Fact]
    public async Task PullIntoARoom_AsModerator_DialsWithThatRoomsMarker()
    {
        using var client = _app.CreateControlClient();

        using var response = await client.PostAsJsonAsync("/api/rooms/support/calls", new { number = "+15557654321", role = "moderator" });

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var dial = Assert.Single(_app.Telnyx.TakeNew());
        var tag = ClientStateTag.TryDecode(dial.Json!["client_state"]!.GetValue<string>())!;
        Assert.Equal(("support", ParticipantRole.Moderator), (tag.Room, tag.DialedAs));
    }
}
