using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using ConferenceDemo.Rooms;
using ConferenceDemo.Tests.Infrastructure;
using Microsoft.AspNetCore.Mvc.Testing;
using static ConferenceDemo.Tests.Infrastructure.CallSteps;
using static ConferenceDemo.Tests.Infrastructure.TelnyxWebhooks;

namespace ConferenceDemo.Tests.Control;

/// <summary>The moderator's controls end to end: the API, the room's rules, and the commands the fake Telnyx receives.</summary>
public sealed class ModeratorApiTests : IAsyncLifetime
{
    private const string RecordingId = "4577f9a2-cf0e-44f3-ac57-9f95fb03fa47";
    private readonly ConferenceDemoApplication _app = new();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _app.DisposeAsync();

    /// <summary>The default room live with A and B in it.</summary>
    private async Task TwoInTheRoomAsync()
    {
        await FirstCallerOpensConferenceAsync(_app);
        await CallerJoinsAsync(_app, B, FromB);
        await _app.DeliverAsync(Joined(B, "conf-1"));
        _app.Telnyx.TakeNew();
    }

    private async Task<(HttpStatusCode Status, JsonNode? Body)> PostAsync(string path, string? json = null)
    {
        using var client = _app.CreateControlClient();
        using var content = json is null ? null : new StringContent(json, Encoding.UTF8, "application/json");
        using var response = await _app.AdvancingAsync(client.PostAsync(path, content));
        var text = await response.Content.ReadAsStringAsync();
        await _app.WhenIdleAsync();
        return (response.StatusCode, text.Length == 0 ? null : JsonNode.Parse(text));
    }

    private async Task<JsonNode> RoomAsync()
    {
        var (status, text) = await _app.GetAsync("/api/rooms/myconf");
        Assert.Equal(200, status);
        return JsonNode.Parse(text)!;
    }

    [Fact]
    public async Task Lock_TurnsTheNextCallerAway_AndTheRoomShowsLocked()
    {
        var (status, body) = await PostAsync("/api/rooms/myconf/lock");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("done", body!["outcome"]!.GetValue<string>());
        Assert.True((await RoomAsync())["locked"]!.GetValue<bool>());

        Expect.Commands(await _app.DeliverAsync(Answered(C, FromC)), Expect.Speak(C, "This conference is locked. Goodbye."));
        Expect.Commands(await _app.DeliverAsync(SpeakEnded(C)), Expect.Hangup(C));

        Assert.Equal(HttpStatusCode.OK, (await PostAsync("/api/rooms/myconf/unlock")).Status);
        Assert.False((await RoomAsync())["locked"]!.GetValue<bool>());
    }

    [Fact]
    public async Task Kick_SpeaksTheNotice_ThenHangsTheLegUp_AndTheRoomNoLongerListsIt()
    {
        await TwoInTheRoomAsync();

        var (status, _) = await PostAsync($"/api/rooms/myconf/participants/{Uri.EscapeDataString(B)}/kick");

        Assert.Equal(HttpStatusCode.OK, status);
        var sent = _app.Telnyx.TakeNew();
        Assert.Contains(sent, r => r.Path == Expect.Call(B, "speak") && r.Body.Contains("removed from this conference", StringComparison.Ordinal));
        Assert.DoesNotContain(sent, r => r.Path == Expect.Call(B, "hangup"));
        Assert.DoesNotContain(B, (await RoomAsync())["participants"]!.AsArray().Select(p => p!["call_control_id"]!.GetValue<string>()));
        Assert.Contains(await _app.DeliverAsync(SpeakEnded(B)), r => r.Path == Expect.Call(B, "hangup"));
    }

    [Fact]
    public async Task Kick_SomeoneNotInTheRoom_Is404_AndARoomWithoutAConferenceIs409()
    {
        Assert.Equal(HttpStatusCode.Conflict, (await PostAsync("/api/rooms/myconf/mute-all")).Status);
        await TwoInTheRoomAsync();

        Assert.Equal(HttpStatusCode.NotFound, (await PostAsync("/api/rooms/myconf/participants/v3%3Anobody/kick")).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await PostAsync("/api/rooms/nosuchroom/lock")).Status);
        Assert.Empty(_app.Telnyx.TakeNew());
    }

    [Fact]
    public async Task MuteAll_SendsOneConferenceMute_WithTheMembersIds()
    {
        await TwoInTheRoomAsync();

        var (status, _) = await PostAsync("/api/rooms/myconf/mute-all");

        Assert.Equal(HttpStatusCode.OK, status);
        Expect.Commands(_app.Telnyx.TakeNew(), (Expect.Conference("conf-1", "mute"), $$"""{"call_control_ids":["{{A}}","{{B}}"]}"""));
        Assert.All((await RoomAsync())["participants"]!.AsArray(), p => Assert.True(p!["muted"]!.GetValue<bool>()));
    }

    [Fact]
    public async Task Speak_ToTheRoomAndToOne_SendsConferenceSpeak_AndABadBodyIs400()
    {
        await TwoInTheRoomAsync();

        Assert.Equal(HttpStatusCode.OK, (await PostAsync("/api/rooms/myconf/speak", """{"text":"Five minutes break"}""")).Status);
        Assert.Equal(HttpStatusCode.OK, (await PostAsync("/api/rooms/myconf/speak", $$"""{"text":"Only you","call_control_id":"{{A}}"}""")).Status);
        Expect.Commands(_app.Telnyx.TakeNew(),
            (Expect.Conference("conf-1", "speak"), """{"payload":"Five minutes break","voice":"female","language":"en-GB"}"""),
            (Expect.Conference("conf-1", "speak"), $$"""{"payload":"Only you","voice":"female","language":"en-GB","call_control_ids":["{{A}}"]}"""));

        var (status, body) = await PostAsync("/api/rooms/myconf/speak", """{"text":""}""");
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains("text", body!["detail"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.BadRequest, (await PostAsync("/api/rooms/myconf/play", """{"audio_url":"ftp://example.com/a.mp3"}""")).Status);
        Assert.Equal(HttpStatusCode.BadRequest, (await PostAsync("/api/rooms/myconf/recording/start", """{"format":"ogg"}""")).Status);
        Assert.Equal(HttpStatusCode.BadRequest, (await PostAsync("/api/rooms/myconf/recording/start", """{"channels":"stereo"}""")).Status);
        Assert.Empty(_app.Telnyx.TakeNew());
    }

    [Fact]
    public async Task Recording_StartAnnounceStop_ThenTheSavedRecordingIsListed_AndItsDownloadRedirectsToAFreshLink()
    {
        await TwoInTheRoomAsync();

        Assert.Equal(HttpStatusCode.OK, (await PostAsync("/api/rooms/myconf/recording/start", """{"format":"wav","channels":"dual"}""")).Status);
        Expect.Commands(_app.Telnyx.TakeNew(),
            (Expect.Conference("conf-1", "record_start"), """{"format":"wav","channels":"dual"}"""),
            (Expect.Conference("conf-1", "speak"), """{"payload":"This conference is now being recorded.","voice":"female","language":"en-GB"}"""));
        Assert.Equal("on", (await RoomAsync())["recording"]!.GetValue<string>());

        Assert.Equal(HttpStatusCode.OK, (await PostAsync("/api/rooms/myconf/recording/stop")).Status);
        Expect.Commands(_app.Telnyx.TakeNew(), (Expect.Conference("conf-1", "record_stop"), "{}"));
        Assert.Equal("off", (await RoomAsync())["recording"]!.GetValue<string>());

        await _app.DeliverAsync(Event("conference.recording.saved", new Dictionary<string, string?>
        {
            ["conference_id"] = "conf-1", ["recording_id"] = RecordingId, ["client_state"] = ClientStateTag.Seat("myconf"),
            ["recording_started_at"] = "2026-12-01T10:00:00Z", ["recording_ended_at"] = "2026-12-01T10:02:30Z", ["format"] = "wav",
            ["channels"] = "dual",
        }));
        var (status, text) = await _app.GetAsync("/api/rooms/myconf/recordings");
        Assert.Equal(200, status);
        var recording = Assert.Single(JsonNode.Parse(text)!["recordings"]!.AsArray())!;
        Assert.Equal(RecordingId, recording["id"]!.GetValue<string>());
        Assert.Equal(150, recording["duration_seconds"]!.GetValue<double>());
        Assert.Equal(("wav", "dual"), (recording["format"]!.GetValue<string>(), recording["channels"]!.GetValue<string>()));
        Assert.Equal($"/api/recordings/{RecordingId}/download", recording["download"]!.GetValue<string>());

        var fresh = File.ReadAllText(FixturePath("responses", "recording_retrieve.json"));
        _app.Telnyx.Respond = (r, _) => Task.FromResult(r.Path == $"/v2/recordings/{RecordingId}" ? RecordingTelnyxHandler.Json(HttpStatusCode.OK, fresh) : null);
        using var download = await DownloadAsync();
        Assert.Equal(HttpStatusCode.Redirect, download.StatusCode);
        Assert.Equal("https://s3.amazonaws.com/telephony-recorder-prod/example/recording.mp3?X-Amz-Expires=600", download.Headers.Location!.AbsoluteUri);
        Assert.Contains(_app.Telnyx.TakeNew(), r => r.Method == HttpMethod.Get && r.Path == $"/v2/recordings/{RecordingId}");

        // A plain-http link elsewhere is not passed on to the browser (a loopback stand-in such as the simulator is).
        var plain = fresh.Replace("https://s3.amazonaws.com", "http://s3.amazonaws.com", StringComparison.Ordinal);
        Assert.NotEqual(fresh, plain);
        _app.Telnyx.Respond = (r, _) => Task.FromResult(r.Path == $"/v2/recordings/{RecordingId}" ? RecordingTelnyxHandler.Json(HttpStatusCode.OK, plain) : null);
        using (var refused = await DownloadAsync())
        {
            Assert.Equal(HttpStatusCode.BadGateway, refused.StatusCode);
        }

        // Telnyx no longer has it: a 404 that says so, not a redirect to a dead link.
        _app.Telnyx.FailOn(HttpStatusCode.NotFound, "error_404_conference_not_found.json", $"/v2/recordings/{RecordingId}");
        using var gone = await DownloadAsync();
        Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);
        Assert.Contains("no longer has", await gone.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Download_OfARecordingNoRoomHas_Is404_WithoutAskingTelnyx()
    {
        using var response = await DownloadAsync();

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Empty(_app.Telnyx.TakeNew());
    }

    private async Task<HttpResponseMessage> DownloadAsync()
    {
        var client = _app.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", ConferenceDemoApplication.ControlToken);
        return await _app.AdvancingAsync(client.GetAsync($"/api/recordings/{RecordingId}/download"));
    }

    [Fact]
    public async Task PutRoom_TakesTheRecordingNoticeAndTheTimeLimit_AndShowsThem()
    {
        using var client = _app.CreateControlClient();
        using var content = new StringContent("""{"announce_recording":false,"max_duration_minutes":45}""", Encoding.UTF8, "application/json");

        using var response = await client.PutAsync("/api/rooms/standup", content);

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var room = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        Assert.False(room["announce_recording"]!.GetValue<bool>());
        Assert.Equal(45, room["max_duration_minutes"]!.GetValue<int>());
        Assert.Equal("off", room["recording"]!.GetValue<string>());
    }

    [Fact]
    public async Task FloorChanged_MarksTheTalkingParticipant()
    {
        await TwoInTheRoomAsync();

        await _app.DeliverAsync(Event("conference.floor.changed", new Dictionary<string, string?>
        {
            ["call_control_id"] = B, ["conference_id"] = "conf-1", ["client_state"] = ClientStateTag.Seat("myconf"),
        }));

        var talking = (await RoomAsync())["participants"]!.AsArray().ToDictionary(p => p!["call_control_id"]!.GetValue<string>(), p => p!["talking"]!.GetValue<bool>());
        Assert.Equal(new Dictionary<string, bool> { [A] = false, [B] = true }, talking);
    }

    [Fact]
    public async Task TimeLimit_IsSentOnCreate_AndTheWarningsComeOnTheServersClock()
    {
        _app.Settings["Rooms:board:DialIn"] = "+15556660000";
        _app.Settings["Rooms:board:MaxDurationMinutes"] = "10";
        await _app.DeliverAsync(Initiated(A, to: "+15556660000"));
        var created = await _app.DeliverAsync(Answered(A, FromA, "+15556660000"));
        Assert.Contains(created, r => r.Path == "/v2/conferences" && r.Json!["duration_minutes"]!.GetValue<int>() == 10);
        await _app.DeliverAsync(Joined(A, "conf-1"));
        _app.Telnyx.TakeNew();

        _app.Clock.Advance(TimeSpan.FromMinutes(4.9));
        await _app.WhenIdleAsync();
        Assert.DoesNotContain(_app.Telnyx.TakeNew(), r => r.Path.EndsWith("/speak", StringComparison.Ordinal));

        _app.Clock.Advance(TimeSpan.FromMinutes(0.2));
        await _app.WhenIdleAsync();
        var five = Assert.Single(_app.Telnyx.TakeNew(), r => r.Path == Expect.Conference("conf-1", "speak"));
        Assert.Equal("This conference will end in 5 minutes.", five.Json!["payload"]!.GetValue<string>());

        _app.Clock.Advance(TimeSpan.FromMinutes(4));
        await _app.WhenIdleAsync();
        var one = Assert.Single(_app.Telnyx.TakeNew(), r => r.Path == Expect.Conference("conf-1", "speak"));
        Assert.Equal("This conference will end in one minute.", one.Json!["payload"]!.GetValue<string>());
    }
}
