using ConferenceDemo.Rooms;

namespace ConferenceDemo.Tests.Rooms;

/// <summary>The moderator's controls as room decisions, without a host: each control, its refusals, notices, warnings, reasons.</summary>
public sealed class ModeratorRulesTests
{
    private const string M = "v3:M", A = "v3:A", B = "v3:B", C = "v3:C";
    private const string Conf = "conf-7";
    private static readonly DateTimeOffset Start = DateTimeOffset.FromUnixTimeSeconds(1_800_000_000);

    private static readonly RoomSettings Board = new() { Id = "board", Pin = "1234", ModeratorPin = "9876" };

    private DateTimeOffset _now = Start;
    private Room _room = Room.Create("board", Guid.Parse("6f1c2a8e-0000-4000-8000-000000000007"));

    private Decision Decide(RoomInput input, RoomSettings? settings = null)
    {
        var decision = RoomRules.Decide(_room, settings ?? Board, input, _now);
        _room = decision.Room;
        return decision;
    }

    /// <summary>A live conference with a moderator M and members A and B in it.</summary>
    private void Live()
    {
        _room = _room with
        {
            Phase = ConferencePhase.Live,
            ConferenceId = Conf,
            Participants =
            [
                new Participant(M, "+15550000009") { Role = ParticipantRole.Moderator, Status = ParticipantStatus.InRoom },
                new Participant(A, "+15550000001") { Status = ParticipantStatus.InRoom },
                new Participant(B, "+15550000002") { Status = ParticipantStatus.InRoom },
            ],
        };
    }

    private static CommandCompleted Ok(RoomCommand command) => new(command, CommandResult.Ok);

    private static string ReasonOf(Decision d, string leg) =>
        Assert.Single(d.Events.OfType<ParticipantLeftRoom>(), e => e.Participant.CallControlId == leg).ReasonName;

    [Fact]
    public void LockedRoom_TurnsAMemberAway_WithTheNoticeThenAHangup_ReasonLockedOut()
    {
        Decide(new OwnerAction(OwnerActionKind.Lock));
        Assert.True(_room.Locked);

        Decide(new CallAnswered(C, "+15550000003", "+15558880000", Dialed: false));
        var entered = Decide(new GatherEnded(C, "1234", "valid"));

        Assert.Equal("This conference is locked. Goodbye.", Assert.IsType<Speak>(Assert.Single(entered.Commands)).Text);
        Assert.Null(_room.Find(C));
        Assert.Equal("locked_out", ReasonOf(entered, C));
        Assert.IsType<Hangup>(Assert.Single(Decide(new SpeakEnded(C)).Commands));
    }

    [Fact]
    public void LockedRoom_StillLetsTheModeratorIn()
    {
        Decide(new OwnerAction(OwnerActionKind.Lock));
        Decide(new CallAnswered(C, "+15550000003", "+15558880000", Dialed: false));

        var entered = Decide(new GatherEnded(C, "9876", "valid"));

        Assert.Collection(entered.Commands, c => Assert.IsType<Speak>(c), c => Assert.IsType<CreateConference>(c));
        Assert.Equal(ParticipantRole.Moderator, _room.Find(C)!.Role);
    }

    [Fact]
    public void Unlock_LetsMembersInAgain_AndLockIsReportedInRoomUpdated()
    {
        var locked = Decide(new OwnerAction(OwnerActionKind.Lock));
        Assert.True(Assert.Single(locked.Events.OfType<RoomUpdated>()).Locked);
        Decide(new OwnerAction(OwnerActionKind.Unlock));
        Decide(new CallAnswered(C, "+15550000003", "+15558880000", Dialed: false));

        var entered = Decide(new GatherEnded(C, "1234", "valid"));

        Assert.IsType<CreateConference>(entered.Commands[1]);
    }

    [Fact]
    public void Kick_SaysANotice_DropsThemAsKicked_ThenHangsUpAfterTheNotice()
    {
        Live();

        var kick = Decide(new OwnerAction(OwnerActionKind.Kick, A));

        Assert.Equal(OutcomeKind.Done, kick.Outcome!.Kind);
        var notice = Assert.IsType<Speak>(Assert.Single(kick.Commands));
        Assert.Equal((A, "You have been removed from this conference. Goodbye."), (notice.CallControlId, notice.Text));
        Assert.Equal("kicked", ReasonOf(kick, A));
        Assert.Null(_room.Find(A));
        Assert.Equal(A, Assert.IsType<Hangup>(Assert.Single(Decide(new SpeakEnded(A)).Commands)).CallControlId);
    }

    [Theory]
    [InlineData(OwnerActionKind.Kick)]
    [InlineData(OwnerActionKind.Speak)]
    [InlineData(OwnerActionKind.Play)]
    public void AnActionOnSomeoneNotInTheRoom_IsRefused_WithoutACommand(OwnerActionKind kind)
    {
        Live();

        var d = Decide(new OwnerAction(kind, "v3:nobody") { Text = "hi", AudioUrl = "https://example.com/a.mp3" });

        Assert.Equal(OutcomeKind.UnknownParticipant, d.Outcome!.Kind);
        Assert.Empty(d.Commands);
    }

    [Theory]
    [InlineData(OwnerActionKind.Kick)]
    [InlineData(OwnerActionKind.MuteAll)]
    [InlineData(OwnerActionKind.Speak)]
    [InlineData(OwnerActionKind.StopAudio)]
    [InlineData(OwnerActionKind.End)]
    [InlineData(OwnerActionKind.RecordingStart)]
    public void WithoutALiveConference_EveryRoomControlIsRefused(OwnerActionKind kind)
    {
        var d = Decide(new OwnerAction(kind, A) { Text = "hi" });

        Assert.Equal(OutcomeKind.NoConference, d.Outcome!.Kind);
        Assert.Empty(d.Commands);
    }

    [Fact]
    public void MuteAll_MutesTheMembersOnly_AndMarksThemMutedWhenTelnyxAgrees()
    {
        Live();

        var d = Decide(new OwnerAction(OwnerActionKind.MuteAll));

        var mute = Assert.IsType<ParticipantsCommand>(Assert.Single(d.Commands));
        Assert.Equal((ParticipantsAction.Mute, Conf), (mute.Action, mute.ConferenceId));
        Assert.Equal([A, B], mute.CallControlIds.ToArray());
        Assert.Equal(mute.Id, d.AwaitedCommand);
        var answered = Decide(Ok(mute));
        Assert.Equal(OutcomeKind.Done, answered.Outcome!.Kind);
        Assert.True(_room.Find(A)!.Muted && _room.Find(B)!.Muted);
        Assert.False(_room.Find(M)!.Muted);

        var unmute = Assert.IsType<ParticipantsCommand>(Assert.Single(Decide(new OwnerAction(OwnerActionKind.UnmuteAll)).Commands));
        Assert.Equal((ParticipantsAction.Unmute, 2), (unmute.Action, unmute.CallControlIds.Length));
    }

    [Fact]
    public void MuteAll_WithOnlyModerators_SendsNothing_AndSaysSo()
    {
        Live();
        _room = _room with { Participants = [_room.Participants[0]] };

        var d = Decide(new OwnerAction(OwnerActionKind.MuteAll));

        Assert.Empty(d.Commands);
        Assert.Equal(OutcomeKind.NothingToDo, d.Outcome!.Kind);
    }

    [Fact]
    public void SpeakAndPlay_GoToTheWholeRoom_OrToOneListener_InTheRoomsVoice()
    {
        Live();
        var voiced = Board with { Voice = "male", Language = "fr-FR" };

        var all = Assert.IsType<ConferenceSpeak>(Assert.Single(Decide(new OwnerAction(OwnerActionKind.Speak) { Text = "Hello all" }, voiced).Commands));
        var one = Assert.IsType<ConferencePlay>(Assert.Single(
            Decide(new OwnerAction(OwnerActionKind.Play, B) { AudioUrl = "https://example.com/a.mp3" }).Commands));
        var stop = Assert.IsType<ConferenceStopAudio>(Assert.Single(Decide(new OwnerAction(OwnerActionKind.StopAudio)).Commands));

        Assert.Equal(("Hello all", "male", "fr-FR", 0), (all.Text, all.Voice, all.Language, all.Listeners.Length));
        Assert.Equal(("https://example.com/a.mp3", B), (one.AudioUrl, Assert.Single(one.Listeners)));
        Assert.Equal(Conf, stop.ConferenceId);
    }

    [Fact]
    public void End_EndsTheConference_AndEveryoneLeavesAsConferenceEnded()
    {
        Live();

        var end = Assert.IsType<EndConference>(Assert.Single(Decide(new OwnerAction(OwnerActionKind.End)).Commands));
        Decide(Ok(end));
        var left = Decide(new ParticipantLeft(A, Conf));
        var ended = Decide(new ConferenceEnded(Conf, "host_left"));

        Assert.Equal("conference_ended", ReasonOf(left, A));
        Assert.All(ended.Events.OfType<ParticipantLeftRoom>(), e => Assert.Equal("conference_ended", e.ReasonName));
        Assert.Equal(ConferencePhase.None, _room.Phase);
    }

    [Theory]
    [InlineData("time_exceeded", "time_limit")]
    [InlineData("host_left", "conference_ended")]
    [InlineData("all_left", "conference_ended")]
    public void ConferenceEndedByTelnyx_GivesItsReasonToThoseStillListed(string reason, string expected)
    {
        Live();

        var d = Decide(new ConferenceEnded(Conf, reason));

        Assert.Equal(3, d.Events.OfType<ParticipantLeftRoom>().Count(e => e.ReasonName == expected));
    }

    [Fact]
    public void AHangupForItsTimeLimit_IsReasonTimeLimit_AnOrdinaryOneHungUp()
    {
        Live();

        Assert.Equal("time_limit", ReasonOf(Decide(new CallHungUp(A, "time_limit")), A));
        Assert.Equal("hung_up", ReasonOf(Decide(new CallHungUp(B, "normal_clearing")), B));
    }

    [Fact]
    public void RoomRecording_StartsWithItsOptions_IsAnnounced_ThenPausesResumesAndStops()
    {
        Live();

        var start = Assert.IsType<ConferenceRecording>(Assert.Single(
            Decide(new OwnerAction(OwnerActionKind.RecordingStart) { Format = "wav", Channels = "single" }).Commands));
        Assert.Equal((RecordingAction.Start, "wav", "single", "record_start"), (start.Action, start.Format, start.Channels, start.Name));
        Assert.Equal(RecordingState.Off, _room.Recording);
        Assert.Equal(OutcomeKind.Conflict, Decide(new OwnerAction(OwnerActionKind.RecordingPause)).Outcome!.Kind); // not started yet

        var started = Decide(Ok(start));
        Assert.Equal(RecordingState.On, _room.Recording);
        var notice = Assert.IsType<ConferenceSpeak>(Assert.Single(started.Commands));
        Assert.Equal(("This conference is now being recorded.", 0), (notice.Text, notice.Listeners.Length));
        Assert.Equal(RecordingState.On, Assert.Single(started.Events.OfType<RoomUpdated>()).Recording);

        var pause = Assert.Single(Decide(new OwnerAction(OwnerActionKind.RecordingPause)).Commands);
        Decide(Ok(pause));
        Assert.Equal(RecordingState.Paused, _room.Recording);
        Decide(Ok(Assert.Single(Decide(new OwnerAction(OwnerActionKind.RecordingResume)).Commands)));
        Assert.Equal(RecordingState.On, _room.Recording);
        Assert.Equal(OutcomeKind.Conflict, Decide(new OwnerAction(OwnerActionKind.RecordingStart)).Outcome!.Kind);
        Decide(Ok(Assert.Single(Decide(new OwnerAction(OwnerActionKind.RecordingStop)).Commands)));
        Assert.Equal(RecordingState.Off, _room.Recording);
    }

    [Fact]
    public void ARecordingThatIsNotAnnounced_SaysNothing()
    {
        Live();
        var quiet = Board with { AnnounceRecording = false };

        var start = Assert.Single(Decide(new OwnerAction(OwnerActionKind.RecordingStart), quiet).Commands);

        Assert.Empty(Decide(Ok(start), quiet).Commands);
        Assert.Empty(Decide(new ParticipantJoined(C, Conf), quiet).Commands.OfType<ConferenceSpeak>());
    }

    [Fact]
    public void ALateJoiner_WhileTheRoomIsRecorded_HearsTheNoticeAlone()
    {
        Live();
        Decide(Ok(Assert.Single(Decide(new OwnerAction(OwnerActionKind.RecordingStart)).Commands)));

        var joined = Decide(new ParticipantJoined(C, Conf));

        var notice = Assert.Single(joined.Commands.OfType<ConferenceSpeak>());
        Assert.Equal(("This conference is now being recorded.", C), (notice.Text, Assert.Single(notice.Listeners)));
    }

    [Fact]
    public void ASavedRecording_IsKeptOnce_WithItsDuration()
    {
        Live();
        var saved = new SavedRecording("4577f9a2-cf0e-44f3-ac57-9f95fb03fa47", Start, Start.AddSeconds(90), "mp3", "single");

        var d = Decide(new RecordingSaved(Conf, saved));
        Decide(new RecordingSaved(Conf, saved));

        Assert.Equal(90, Assert.Single(_room.Recordings).DurationSeconds);
        Assert.Equal(saved, Assert.Single(d.Events.OfType<RecordingSavedInRoom>()).Recording);
    }

    [Fact]
    public void FloorChanged_SetsTheSpeaker_AndTheSpeakerWhoLeavesHasItNoMore()
    {
        Live();

        var d = Decide(new FloorChanged(B, Conf));
        Assert.Equal(B, _room.Speaker);
        Assert.Equal(B, Assert.Single(d.Events.OfType<RoomUpdated>()).Speaker);
        Decide(new FloorChanged("v3:stranger", Conf));
        Assert.Equal(B, _room.Speaker);

        Decide(new CallHungUp(B, "normal_clearing"));
        Assert.Null(_room.Speaker);
    }

    /// <summary>Opens a room with a time limit: its creator's create is answered at <see cref="Start"/>.</summary>
    private Decision OpenWithLimit(RoomSettings limited)
    {
        var greeted = Decide(new CallAnswered(A, "+15550000001", "+15558880000", Dialed: false), limited);
        var create = Assert.IsType<CreateConference>(greeted.Commands[1]);
        Assert.Equal(30, create.DurationMinutes);
        return Decide(new CommandCompleted(create, new CommandResult { ConferenceId = Conf }), limited);
    }

    [Fact]
    public void TimeLimit_WarnsFiveMinutesThenOneMinuteBeforeTheEnd_AtTheTimesTheDecisionsAskToWake()
    {
        var limited = new RoomSettings { Id = "board", MaxDurationMinutes = 30 };
        var opened = OpenWithLimit(limited);
        Assert.Equal(Start.AddMinutes(25), opened.WakeAt);

        _now = Start.AddMinutes(24);
        var early = Decide(ClockTick.Instance, limited);
        Assert.Empty(early.Commands);
        Assert.Equal(Start.AddMinutes(25), early.WakeAt);

        _now = Start.AddMinutes(25);
        var five = Decide(ClockTick.Instance, limited);
        Assert.Equal("This conference will end in 5 minutes.", Assert.IsType<ConferenceSpeak>(Assert.Single(five.Commands)).Text);
        Assert.Equal(5, Assert.Single(five.Events.OfType<TimeWarning>()).MinutesLeft);
        Assert.Equal(Start.AddMinutes(29), five.WakeAt);

        _now = Start.AddMinutes(29);
        var one = Decide(ClockTick.Instance, limited);
        Assert.Equal("This conference will end in one minute.", Assert.IsType<ConferenceSpeak>(Assert.Single(one.Commands)).Text);
        Assert.Null(one.WakeAt);
        Assert.Empty(Decide(ClockTick.Instance, limited).Commands);
    }

    [Fact]
    public void TimeLimit_ALateWakeUp_SpeaksOnlyTheNearestWarning()
    {
        var limited = new RoomSettings { Id = "board", MaxDurationMinutes = 30 };
        OpenWithLimit(limited);

        _now = Start.AddMinutes(29.5);
        var late = Decide(ClockTick.Instance, limited);

        Assert.Equal("This conference will end in one minute.", Assert.IsType<ConferenceSpeak>(Assert.Single(late.Commands)).Text);
        Assert.Null(late.WakeAt);
    }

    [Fact]
    public void ARoomWithoutATimeLimit_NeverAsksToWake()
    {
        var d = Decide(new CallAnswered(A, "+15550000001", "+15558880000", Dialed: false), new RoomSettings { Id = "board" });
        var create = Assert.IsType<CreateConference>(d.Commands[1]);

        Assert.Null(create.DurationMinutes);
        Assert.Null(Decide(new CommandCompleted(create, new CommandResult { ConferenceId = Conf }), new RoomSettings { Id = "board" }).WakeAt);
    }
}
