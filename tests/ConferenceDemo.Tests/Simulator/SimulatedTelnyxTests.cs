using System.Text.Json.Nodes;
using ConferenceDemo.Simulator;
using Microsoft.Extensions.Time.Testing;

namespace ConferenceDemo.Tests.Simulator;

/// <summary>The simulated Telnyx's rules, host-free: a fake clock, and the webhooks it would send collected in a list.</summary>
public sealed class SimulatedTelnyxTests : IDisposable
{
    private const string Tune = "http://sim.test/simulator/media/tune.wav";
    private readonly FakeTimeProvider _clock = new(DateTimeOffset.Parse("2026-12-01T10:00:00Z", System.Globalization.CultureInfo.InvariantCulture));
    private readonly CollectingSink _webhooks = new();
    private readonly SimulatorMedia _media;
    private readonly SimulatedTelnyx _telnyx;

    public SimulatedTelnyxTests()
    {
        _media = new SimulatorMedia(() => new Uri("http://sim.test/"), _clock);
        _telnyx = new SimulatedTelnyx(_clock, new SimulatorOptions { RingMilliseconds = 1000, SpeechCharactersPerSecond = 10 }, _media, _webhooks, "conn-1");
    }

    public void Dispose() => _telnyx.Dispose();

    private sealed class CollectingSink : ISimulatorWebhookSink
    {
        private readonly List<SimulatedWebhook> _sent = [];

        public void Send(SimulatedWebhook webhook)
        {
            lock (_sent)
            {
                _sent.Add(webhook);
            }
        }

        public IReadOnlyList<SimulatedWebhook> All
        {
            get
            {
                lock (_sent)
                {
                    return [.. _sent];
                }
            }
        }

        public IReadOnlyList<string> Types(string? callControlId = null) =>
            [.. All.Where(w => callControlId is null || (string?)w.Payload["call_control_id"] == callControlId).Select(w => w.EventType)];

        public SimulatedWebhook Last(string eventType) => All.Last(w => w.EventType == eventType);
    }

    private static JsonObject Body(string json) => JsonNode.Parse(json)!.AsObject();

    /// <summary>An inbound caller, answered.</summary>
    private string Answered(string from = "+15550000001")
    {
        var call = _telnyx.PlaceInboundCall(from, "+15559990000");
        Assert.Equal(200, _telnyx.CallAction(call.CallControlId, "answer", []).Status);
        return call.CallControlId;
    }

    private string Create(string ccid, string extra = "")
    {
        var reply = _telnyx.CreateConference(Body($$"""{"call_control_id":"{{ccid}}","name":"room-1"{{extra}}}"""));
        Assert.Equal(200, reply.Status);
        return reply.Body["data"]!["id"]!.GetValue<string>();
    }

    private void Join(string conferenceId, string ccid, string extra = "") =>
        Assert.Equal(200, _telnyx.ConferenceAction(conferenceId, "join", Body($$"""{"call_control_id":"{{ccid}}"{{extra}}}""")).Status);

    private SimulatedCall Call(string ccid) => _telnyx.Call(ccid)!;

    private static string? Code(SimulatorReply reply) => reply.Body["errors"]?[0]?["code"]?.GetValue<string>();

    [Fact]
    public void InboundCall_RingsUntilAnswered_AndAnnouncesEachStep()
    {
        var call = _telnyx.PlaceInboundCall("+15550000001", "+15559990000");
        Assert.Equal("ringing", call.State);
        Assert.Equal(["call.initiated"], _webhooks.Types());
        Assert.Equal("incoming", (string?)_webhooks.Last("call.initiated").Payload["direction"]);

        Assert.Equal(200, _telnyx.CallAction(call.CallControlId, "answer", []).Status);

        Assert.Equal("answered", Call(call.CallControlId).State);
        Assert.Equal(["call.initiated", "call.answered"], _webhooks.Types());
        var payload = _webhooks.Last("call.answered").Payload;
        Assert.Equal("conn-1", (string?)payload["connection_id"]);
        Assert.Equal("+15550000001", (string?)payload["from"]);
        Assert.True(Guid.TryParse((string?)payload["call_leg_id"], out _));
    }

    [Fact]
    public void ClientState_IsEchoedFromTheLatestCommandThatSetIt()
    {
        var call = _telnyx.PlaceInboundCall("+15550000001", "+15559990000");
        _telnyx.CallAction(call.CallControlId, "answer", Body("""{"client_state":"Zmlyc3Q="}"""));
        _telnyx.CallAction(call.CallControlId, "speak", Body("""{"payload":"hi","voice":"female","client_state":"c2Vjb25k"}"""));
        _telnyx.CallAction(call.CallControlId, "hangup", []);

        Assert.Equal("Zmlyc3Q=", (string?)_webhooks.Last("call.answered").Payload["client_state"]);
        Assert.Equal("c2Vjb25k", (string?)_webhooks.Last("call.speak.started").Payload["client_state"]);
        Assert.Equal("c2Vjb25k", (string?)_webhooks.Last("call.hangup").Payload["client_state"]);
        Assert.Null(_webhooks.Last("call.initiated").Payload["client_state"]);
    }

    [Fact]
    public void Speech_LastsInProportionToItsLength_AndSpeaksQueueUp()
    {
        var ccid = Answered();
        _telnyx.CallAction(ccid, "speak", Body("""{"payload":"twenty characters...","voice":"female"}""")); // 20 chars at 10/s: 2 s
        _telnyx.CallAction(ccid, "speak", Body("""{"payload":"next","voice":"female"}"""));

        Assert.Equal("twenty characters...", Call(ccid).Hearing);
        _clock.Advance(TimeSpan.FromMilliseconds(1900));
        Assert.DoesNotContain("call.speak.ended", _webhooks.Types());

        _clock.Advance(TimeSpan.FromMilliseconds(200));
        Assert.Equal("next", Call(ccid).Hearing);
        Assert.Equal("completed", (string?)_webhooks.Last("call.speak.ended").Payload["status"]);

        _clock.Advance(TimeSpan.FromSeconds(1));
        Assert.Null(Call(ccid).Hearing);
        Assert.Equal(2, _webhooks.Types().Count(t => t == "call.speak.ended"));
    }

    [Fact]
    public void RepeatedCommandId_OnTheSameLeg_IsAcknowledgedAndNotRunTwice()
    {
        var a = Answered();
        var b = Answered("+15550000002");
        var speak = """{"payload":"hello","voice":"female","command_id":"cmd-1"}""";

        Assert.Equal(200, _telnyx.CallAction(a, "speak", Body(speak)).Status);
        Assert.Equal(200, _telnyx.CallAction(a, "speak", Body(speak)).Status);
        Assert.Equal(200, _telnyx.CallAction(b, "speak", Body(speak)).Status); // another leg: its own scope

        Assert.Single(_webhooks.Types(a), t => t == "call.speak.started");
        Assert.Single(_webhooks.Types(b), t => t == "call.speak.started");
        _clock.Advance(TimeSpan.FromSeconds(2));
        Assert.Null(Call(a).Hearing); // nothing queued behind the first speak

        _clock.Advance(SimulatedTelnyx.CommandIdWindow);
        _telnyx.CallAction(a, "speak", Body(speak));
        Assert.Equal(2, _webhooks.Types(a).Count(t => t == "call.speak.started")); // after 60 s it is a new command
    }

    [Fact]
    public void RepeatedCreate_ReturnsTheSameConference()
    {
        var ccid = Answered();
        var body = $$"""{"call_control_id":"{{ccid}}","name":"room-1","command_id":"create-1"}""";

        var first = _telnyx.CreateConference(Body(body));
        var again = _telnyx.CreateConference(Body(body));

        Assert.Equal(first.Body["data"]!["id"]!.GetValue<string>(), again.Body["data"]!["id"]!.GetValue<string>());
        Assert.Single(_webhooks.Types(), t => t == "conference.created");
    }

    [Fact]
    public void StartConferenceOnEnter_LegsWaitOnHoldAudioUntilOneJoinsWithTrue()
    {
        var a = Answered("+15550000001");
        var b = Answered("+15550000002");
        var c = Answered("+15550000003");
        var conference = Create(a, ""","start_conference_on_create":false,"hold_audio_url":"https://music.test/wait.mp3" """);
        Join(conference, b, ""","start_conference_on_enter":false""");

        Assert.Equal("https://music.test/wait.mp3", Call(a).Hearing);
        Assert.Equal("https://music.test/wait.mp3", Call(b).Hearing);

        Join(conference, c, ""","start_conference_on_enter":true""");

        Assert.All(new[] { a, b, c }, ccid => Assert.Null(Call(ccid).Hearing));
        Assert.All(new[] { a, b, c }, ccid => Assert.Equal("in_conference", Call(ccid).State));
    }

    [Fact]
    public void StartedConference_PlaysNothingUntilSomeoneIsHeld_ThenTheHoldAudio()
    {
        var a = Answered();
        var conference = Create(a);
        Assert.Null(Call(a).Hearing);

        _telnyx.ConferenceAction(conference, "hold", Body($$"""{"call_control_ids":["{{a}}"],"audio_url":"https://music.test/hold.mp3"}"""));
        Assert.Equal((true, "https://music.test/hold.mp3"), (Call(a).OnHold, Call(a).Hearing));

        _telnyx.ConferenceAction(conference, "unhold", Body($$"""{"call_control_ids":["{{a}}"]}"""));
        Assert.Equal((false, (string?)null), (Call(a).OnHold, Call(a).Hearing));

        _telnyx.ConferenceAction("room-1", "hold", []); // by name, everyone, Telnyx's default music
        Assert.Equal(Tune, Call(a).Hearing);
    }

    [Fact]
    public void MuteOnJoin_AndMuteUnmute_AreReported()
    {
        var a = Answered();
        var b = Answered("+15550000002");
        var conference = Create(a);
        Join(conference, b, ""","mute":true""");

        Assert.True(Call(b).Muted);
        _telnyx.ConferenceAction(conference, "unmute", Body($$"""{"call_control_ids":["{{b}}"]}"""));
        Assert.False(Call(b).Muted);
        _telnyx.ConferenceAction(conference, "mute", []);
        Assert.True(Call(a).Muted && Call(b).Muted);
    }

    [Fact]
    public void EndConferenceOnExit_WhenThatLegLeaves_EveryoneIsHungUp()
    {
        var host = Answered("+15550000001");
        var guest = Answered("+15550000002");
        var conference = Create(host);
        Join(conference, guest);
        _telnyx.ConferenceAction(conference, "join", Body($$"""{"call_control_id":"{{host}}"}""")); // already in: refused
        var other = Answered("+15550000003");
        Join(conference, other, ""","end_conference_on_exit":true""");

        _telnyx.HangUpByCaller(other);

        Assert.All(new[] { host, guest, other }, ccid => Assert.Equal("ended", Call(ccid).State));
        Assert.Equal("host_left", (string?)_webhooks.Last("conference.ended").Payload["reason"]);
        var types = _webhooks.Types();
        Assert.True(types.ToList().LastIndexOf("conference.participant.left") < types.ToList().IndexOf("conference.ended"));
    }

    [Fact]
    public void LastLegLeaving_EndsTheConference_AndItsNameIsFreeAgain()
    {
        var a = Answered();
        var b = Answered("+15550000002");
        var conference = Create(a);
        Join(conference, b);

        _telnyx.ConferenceAction(conference, "leave", Body($$"""{"call_control_id":"{{b}}"}"""));
        Assert.Equal("answered", Call(b).State); // parked, not hung up
        Assert.DoesNotContain("conference.ended", _webhooks.Types());

        _telnyx.CallAction(a, "hangup", []);

        Assert.Equal("all_left", (string?)_webhooks.Last("conference.ended").Payload["reason"]);
        var listed = _telnyx.ListConferences("room-1", "completed", 1, 20).Body["data"]!.AsArray();
        Assert.Equal(conference, listed.Single()!["id"]!.GetValue<string>());
        Assert.Equal(200, _telnyx.CreateConference(Body($$"""{"call_control_id":"{{b}}","name":"room-1"}""")).Status);
    }

    [Fact]
    public void NameInUse_IsRefusedWith90033()
    {
        var a = Answered();
        var b = Answered("+15550000002");
        Create(a);

        var reply = _telnyx.CreateConference(Body($$"""{"call_control_id":"{{b}}","name":"room-1"}"""));

        Assert.Equal((422, "90033"), (reply.Status, Code(reply)));
    }

    [Fact]
    public void MaxParticipants_RefusesTheOneTooMany()
    {
        var a = Answered();
        var b = Answered("+15550000002");
        var c = Answered("+15550000003");
        var conference = Create(a, ""","max_participants":2""");
        Join(conference, b);

        var reply = _telnyx.ConferenceAction(conference, "join", Body($$"""{"call_control_id":"{{c}}"}"""));

        Assert.Equal((422, "90032"), (reply.Status, Code(reply)));
        Assert.Equal("answered", Call(c).State);
        Assert.Equal(422, _telnyx.CreateConference(Body($$"""{"call_control_id":"{{c}}","name":"tiny","max_participants":1}""")).Status);
    }

    [Fact]
    public void DurationMinutes_EndsTheConferenceOnTime_AndHangsEveryoneUp()
    {
        var a = Answered();
        var b = Answered("+15550000002");
        var conference = Create(a, ""","duration_minutes":2""");
        Join(conference, b);

        _clock.Advance(TimeSpan.FromSeconds(119));
        Assert.DoesNotContain("conference.ended", _webhooks.Types());

        _clock.Advance(TimeSpan.FromSeconds(2));
        Assert.Equal("time_exceeded", (string?)_webhooks.Last("conference.ended").Payload["reason"]);
        Assert.Equal("ended", Call(a).State);
        Assert.Equal("ended", Call(b).State);
    }

    [Fact]
    public void Beeps_ArePlayedOnEnterAndExit_AsBeepEnabledSays()
    {
        var a = Answered();
        var b = Answered("+15550000002");
        var c = Answered("+15550000003");
        var conference = Create(a, ""","beep_enabled":"on_enter" """);
        Join(conference, b);
        Join(conference, c, ""","beep_enabled":"never" """);
        _telnyx.ConferenceAction(conference, "leave", Body($$"""{"call_control_id":"{{b}}"}"""));

        Assert.Equal([$"on_enter:{a}", $"on_enter:{b}"], _telnyx.Beeps("room-1"));
    }

    [Fact]
    public void Gather_CollectsDigitsUpToTheTerminatingDigit()
    {
        var ccid = Answered();
        _telnyx.CallAction(ccid, "gather_using_speak", Body("""{"payload":"Enter your PIN","voice":"female","valid_digits":"0123456789","client_state":"cGlu"}"""));
        Assert.Equal("Enter your PIN", Call(ccid).Hearing);

        Assert.True(_telnyx.SendDigits(ccid, "12*34#")); // * is not a valid digit here: heard, not collected

        var ended = _webhooks.Last("call.gather.ended").Payload;
        Assert.Equal(("1234", "valid", "cGlu"), ((string?)ended["digits"], (string?)ended["status"], (string?)ended["client_state"]));
        Assert.Equal(6, _webhooks.Types(ccid).Count(t => t == "call.dtmf.received"));
    }

    [Fact]
    public void Gather_WithoutEnoughDigits_PromptsAgain_ThenTimesOut()
    {
        var ccid = Answered();
        _telnyx.CallAction(ccid, "gather_using_speak", Body(
            """{"payload":"PIN","voice":"female","minimum_digits":4,"maximum_tries":2,"timeout_millis":5000,"invalid_payload":"Try again"}"""));

        _telnyx.SendDigits(ccid, "12#");
        Assert.Equal("Try again", Call(ccid).Hearing);
        Assert.DoesNotContain("call.gather.ended", _webhooks.Types());

        _clock.Advance(TimeSpan.FromSeconds(10));
        var ended = _webhooks.Last("call.gather.ended").Payload;
        Assert.Equal(("", "timeout"), ((string?)ended["digits"], (string?)ended["status"]));
    }

    [Fact]
    public void Gather_StopsAtMaximumDigits()
    {
        var ccid = Answered();
        _telnyx.CallAction(ccid, "gather_using_speak", Body("""{"payload":"PIN","voice":"female","maximum_digits":3}"""));

        _telnyx.SendDigits(ccid, "98765");

        Assert.Equal("987", (string?)_webhooks.Last("call.gather.ended").Payload["digits"]);
        Assert.Single(_webhooks.Types(), t => t == "call.gather.ended");
    }

    [Fact]
    public void Dial_RingsBriefly_ThenAnswers_WithItsClientState()
    {
        var reply = _telnyx.Dial(Body("""{"to":"+15557654321","from":"+15559990000","connection_id":"conn-1","client_state":"ZGlhbGVk"}"""));
        var ccid = reply.Body["data"]!["call_control_id"]!.GetValue<string>();

        Assert.Equal(("outgoing", "ringing"), (Call(ccid).Direction, Call(ccid).State));
        Assert.Equal("outgoing", (string?)_webhooks.Last("call.initiated").Payload["direction"]);
        _clock.Advance(TimeSpan.FromMilliseconds(999));
        Assert.DoesNotContain("call.answered", _webhooks.Types());

        _clock.Advance(TimeSpan.FromMilliseconds(2));
        Assert.Equal("answered", Call(ccid).State);
        Assert.Equal("ZGlhbGVk", (string?)_webhooks.Last("call.answered").Payload["client_state"]);
        Assert.Equal(422, _telnyx.CallAction(ccid, "answer", []).Status); // an outbound leg is not answered by the API
    }

    [Fact]
    public void Dial_ToSomethingThatIsNotANumber_IsRefused()
    {
        var reply = _telnyx.Dial(Body("""{"to":"5557654321","from":"+15559990000","connection_id":"conn-1"}"""));

        Assert.Equal((422, "10016"), (reply.Status, Code(reply)));
        Assert.Empty(_telnyx.Calls());
    }

    [Fact]
    public void CommandsOnAGoneOrUnknownLeg_AreRefusedWithTelnyxsCodes()
    {
        var ccid = Answered();
        _telnyx.HangUpByCaller(ccid);

        Assert.Equal((422, "90018"), (_telnyx.CallAction(ccid, "speak", Body("""{"payload":"x","voice":"female"}""")).Status,
            Code(_telnyx.CallAction(ccid, "speak", Body("""{"payload":"x","voice":"female"}""")))));
        var unknown = _telnyx.CallAction("v3:nobody", "hangup", []);
        Assert.Equal((422, "90015"), (unknown.Status, Code(unknown)));
        var ringing = _telnyx.PlaceInboundCall("+15550000002", "+15559990000");
        Assert.Equal("90034", Code(_telnyx.CallAction(ringing.CallControlId, "speak", Body("""{"payload":"x","voice":"female"}"""))));
        Assert.Equal((404, "90058"), (_telnyx.ConferenceAction("no-such-room", "mute", []).Status, Code(_telnyx.ConferenceAction("no-such-room", "mute", []))));
    }

    [Fact]
    public void Hangup_WhileSpeakingAndRecording_EndsTheSpeechAndSavesTheRecording()
    {
        var ccid = Answered();
        _telnyx.CallAction(ccid, "record_start", Body("""{"format":"mp3","channels":"dual"}"""));
        _telnyx.CallAction(ccid, "speak", Body("""{"payload":"a long announcement","voice":"female"}"""));

        _telnyx.HangUpByCaller(ccid);

        Assert.Equal("call_hangup", (string?)_webhooks.Last("call.speak.ended").Payload["status"]);
        var saved = _webhooks.Last("call.recording.saved").Payload;
        Assert.Null(saved["call_control_id"]); // Telnyx's schema: correlate by call_leg_id
        Assert.StartsWith("http://sim.test/simulator/media/recordings/", (string?)saved["recording_urls"]!["wav"], StringComparison.Ordinal);
        Assert.Equal("caller", (string?)_webhooks.Last("call.hangup").Payload["hangup_source"]);
    }

    [Theory]
    [InlineData("call")]
    [InlineData("conference")]
    public void Recording_RefusesASecondStart_AndAStopPauseOrResumeWithNothingRecording(string target)
    {
        var a = Answered();
        var conference = target == "conference" ? Create(a) : null;
        SimulatorReply Act(string action, string body = "{}") =>
            conference is null ? _telnyx.CallAction(a, action, Body(body)) : _telnyx.ConferenceAction(conference, action, Body(body));

        Assert.All(new[] { "record_stop", "record_pause", "record_resume" }, action => Assert.Equal("90021", Code(Act(action))));
        Assert.Equal(200, Act("record_start", """{"format":"mp3","channels":"dual"}""").Status);
        Assert.Equal("90020", Code(Act("record_start", """{"format":"mp3","channels":"dual"}""")));
        Assert.Equal((200, 200), (Act("record_pause").Status, Act("record_resume").Status));
        Assert.Equal(200, Act("record_stop").Status);

        Assert.Equal("dual", (string?)_webhooks.Last($"{target}.recording.saved").Payload["channels"]);
        Assert.Equal("90021", Code(Act("record_stop")));
    }

    [Fact]
    public void Playback_ByMediaName_PlaysThatMedia_OnACallAndInAConference()
    {
        var a = Answered();
        Assert.Equal(200, _telnyx.CallAction(a, "playback_start", Body("""{"media_name":"greeting"}""")).Status);
        Assert.Equal("media:greeting", (string?)_webhooks.Last("call.playback.started").Payload["media_url"]);

        var conference = Create(a);
        Assert.Equal(200, _telnyx.ConferenceAction(conference, "play", Body("""{"media_name":"jingle"}""")).Status);
        Assert.Equal("media:jingle", (string?)_webhooks.Last("conference.playback.started").Payload["media_url"]);
        Assert.Equal("10004", Code(_telnyx.ConferenceAction(conference, "play", [])));
    }

    [Fact]
    public void ConferenceRecording_IsSavedOnStop_AndItsLinksAreFreshAndExpireAfterTenMinutes()
    {
        var a = Answered();
        var conference = Create(a, ""","client_state":"cm9vbQ==" """);
        _telnyx.ConferenceAction(conference, "record_start", Body("""{"format":"wav"}"""));
        _clock.Advance(TimeSpan.FromSeconds(30));
        _telnyx.ConferenceAction(conference, "record_stop", []);

        var saved = _webhooks.Last("conference.recording.saved").Payload;
        Assert.Equal(("cm9vbQ==", conference), ((string?)saved["client_state"], (string?)saved["conference_id"]));
        var recordingId = saved["recording_id"]!.GetValue<string>();
        var first = _telnyx.GetRecording(recordingId).Body["data"]!["download_urls"]!["wav"]!.GetValue<string>();
        var second = _telnyx.GetRecording(recordingId).Body["data"]!["download_urls"]!["wav"]!.GetValue<string>();
        Assert.NotEqual(first, second);
        Assert.Equal(30_000, _telnyx.GetRecording(recordingId).Body["data"]!["duration_millis"]!.GetValue<long>());

        var token = Path.GetFileNameWithoutExtension(new Uri(first).AbsolutePath);
        Assert.Equal(recordingId, _media.Resolve(token));
        _clock.Advance(SimulatorMedia.LinkLifetime + TimeSpan.FromSeconds(1));
        Assert.Null(_media.Resolve(token));
        Assert.Equal(404, _telnyx.GetRecording(Guid.NewGuid().ToString()).Status);
    }

    [Fact]
    public void Participants_ListsWhoIsInTheConferenceNow()
    {
        var a = Answered();
        var b = Answered("+15550000002");
        var conference = Create(a);
        Join(conference, b, ""","hold":true""");

        var list = _telnyx.ListParticipants(conference, 1, 250).Body;

        var participants = list["data"]!.AsArray();
        Assert.Equal([a, b], participants.Select(p => p!["call_control_id"]!.GetValue<string>()));
        Assert.True(participants[1]!["on_hold"]!.GetValue<bool>());
        Assert.Equal(1, list["meta"]!["total_pages"]!.GetValue<int>());
    }

    [Fact]
    public void Envelope_HasAFreshIdAndTelnyxsOccurredAtPlacement()
    {
        var a = Answered();
        Create(a);

        var answered = _webhooks.Last("call.answered").Envelope("id-1", 1, "http://x/start");
        var created = _webhooks.Last("conference.created").Envelope("id-2", 2, "http://x/start");

        Assert.Equal(("event", "id-1"), ((string?)answered["data"]!["record_type"], (string?)answered["data"]!["id"]));
        Assert.NotNull(answered["data"]!["occurred_at"]);
        Assert.Null(created["data"]!["occurred_at"]);
        Assert.NotNull(created["data"]!["payload"]!["occurred_at"]);
        Assert.Equal(2, created["meta"]!["attempt"]!.GetValue<int>());
    }

    [Fact]
    public void HugeDurations_AreAcceptedWithoutBreakingTheClock()
    {
        var a = Answered();
        var conference = Create(a, ""","duration_minutes":2147483647""");
        _telnyx.CallAction(a, "gather_using_speak", Body("""{"payload":"PIN","voice":"female","timeout_millis":2147483647}"""));

        _clock.Advance(TimeSpan.FromHours(1));

        Assert.Equal("in_conference", Call(a).State);
        Assert.Equal(200, _telnyx.ConferenceAction(conference, "mute", []).Status);
    }
}
