using System.Collections.Immutable;
using ConferenceDemo.Rooms;

namespace ConferenceDemo.Tests.Rooms;

/// <summary>
/// The room rules without a host: a room, an input, and the commands, events and state that must come of it,
/// including orders and duplicates a host-based test cannot produce reliably.
/// </summary>
public sealed class RoomRulesTests
{
    private const string A = "v3:A", B = "v3:B", C = "v3:C";
    private const string Conf = "conf-1";
    private static readonly DateTimeOffset Now = DateTimeOffset.FromUnixTimeSeconds(1_800_000_000);
    private static readonly string Seat = ClientStateTag.Seat("myconf");

    private static readonly RoomSettings Settings = new()
    {
        Id = "myconf",
        HoldAudioUrl = "https://example.com/hold.mp3",
        CallerNumber = "+15559990000",
        ConnectionId = "123",
    };

    private Room _room = Room.Create("myconf", Guid.Parse("6f1c2a8e-0000-4000-8000-000000000001"));

    private Decision Decide(RoomInput input, RoomSettings? settings = null)
    {
        var decision = RoomRules.Decide(_room, settings ?? Settings, input, Now);
        _room = decision.Room;
        return decision;
    }

    private static CommandCompleted Ok(RoomCommand command, string? conferenceId = null, string? leg = null,
        ImmutableList<RosterEntry>? roster = null) =>
        new(command, new CommandResult { ConferenceId = conferenceId, CallControlId = leg, Roster = roster });

    private static CommandCompleted Failed(RoomCommand command, params string[] codes) =>
        new(command, CommandResult.Failed(new CommandFailure(FailureKind.Rejected, "refused", 422, [.. codes])));

    private static T Single<T>(Decision decision) where T : RoomCommand => Assert.IsType<T>(Assert.Single(decision.Commands));

    /// <summary>A answered, the conference created and joined: A alone, the automatic hold answered.</summary>
    private RoomCommand OpenWithA()
    {
        var answered = Decide(new CallAnswered(A, "+15550000001", "+15559990000", Dialed: false));
        Decide(Ok(answered.Commands[1], Conf));
        var hold = Single<ParticipantsCommand>(Decide(new ParticipantJoined(A, Conf)));
        Decide(Ok(hold));
        return hold;
    }

    private void Join(string leg)
    {
        var answered = Decide(new CallAnswered(leg, "+1555000000" + leg[^1], "+15559990000", Dialed: false));
        Decide(Ok(answered.Commands[1]));
    }

    [Fact]
    public void IncomingCall_IsAnswered_OutgoingIsNot()
    {
        Assert.Equal(A, Single<Answer>(Decide(new CallInitiated(A, Incoming: true, "+15550000001", "+15559990000"))).CallControlId);
        Assert.Empty(Decide(new CallInitiated(B, Incoming: false, "+15559990000", "+15557654321")).Commands);
    }

    [Fact]
    public void FirstCaller_IsGreetedAndCreatesTheConference_NamedAfterTheRoom()
    {
        var d = Decide(new CallAnswered(A, "+15550000001", "+15559990000", Dialed: false));

        Assert.Collection(d.Commands,
            c => Assert.Equal(new Speak(A, Settings.FirstCallerGreeting, "female", "en-GB") { Id = c.Id }, c),
            c => Assert.Equal(new CreateConference(A, "myconf", Seat) { Id = c.Id }, c));
        Assert.Equal(ConferencePhase.Creating, _room.Phase);
        Assert.Equal(ParticipantStatus.Answered, _room.Find(A)!.Status);
        Assert.Equal("+15550000001", _room.Find(A)!.Number);
        Assert.IsType<ParticipantJoinedRoom>(Assert.Single(d.Events.OfType<ParticipantJoinedRoom>()));
    }

    [Fact]
    public void SecondCallerWhileCreating_IsGreeted_AndJoinsWhenTheCreateAnswers_ExactlyOneCreate()
    {
        var first = Decide(new CallAnswered(A, "+15550000001", "+15559990000", Dialed: false));
        var second = Decide(new CallAnswered(B, "+15550000002", "+15559990000", Dialed: false));

        Assert.Equal(Settings.LaterCallerGreeting, Single<Speak>(second).Text);
        var opened = Decide(Ok(first.Commands[1], Conf));

        Assert.Equal(new JoinConference(Conf, B, Seat) { Id = opened.Commands[0].Id }, Assert.Single(opened.Commands));
        Assert.Equal((ConferencePhase.Live, Conf), (_room.Phase, _room.ConferenceId));
        Assert.Equal(ParticipantStatus.Joining, _room.Find(A)!.Status);
        Assert.Equal(ParticipantStatus.Answered, _room.Find(B)!.Status);
    }

    [Fact]
    public void CreateRefused_HangsTheCreatorUp_AndTheNextWaitingCallerCreates()
    {
        var first = Decide(new CallAnswered(A, "+15550000001", "+15559990000", Dialed: false));
        Decide(new CallAnswered(B, "+15550000002", "+15559990000", Dialed: false));

        var d = Decide(Failed(first.Commands[1], "90015"));

        Assert.Collection(d.Commands,
            c => Assert.Equal(A, Assert.IsType<Hangup>(c).CallControlId),
            c => Assert.Equal(B, Assert.IsType<CreateConference>(c).CallControlId));
        Assert.Null(_room.Find(A));
        Assert.Equal((ConferencePhase.Creating, B), (_room.Phase, _room.Creator));
        Assert.Equal(DepartureReason.NotSeated, Assert.Single(d.Events.OfType<ParticipantLeftRoom>()).Reason);
    }

    [Fact]
    public void CreateRefusedBecauseTheCallEnded_SendsNoHangup_AndLeavesNoConference()
    {
        var first = Decide(new CallAnswered(A, "+15550000001", "+15559990000", Dialed: false));

        var d = Decide(Failed(first.Commands[1], "90018"));

        Assert.Empty(d.Commands);
        Assert.Equal(ConferencePhase.None, _room.Phase);
        Assert.Empty(_room.Participants);
    }

    [Fact]
    public void NameInUse_FindsListsAndJoinsTheRunningConference_TakingOverItsRoster()
    {
        var first = Decide(new CallAnswered(A, "+15550000001", "+15559990000", Dialed: false));

        var find = Single<FindConference>(Decide(Failed(first.Commands[1], "90033")));
        Assert.Equal("myconf", find.ConferenceName);
        var list = Single<ListParticipants>(Decide(Ok(find, "conf-old")));
        Assert.Equal("conf-old", list.ConferenceId);
        var join = Single<JoinConference>(Decide(Ok(list, roster: [new RosterEntry("v3:old", Joined: true, Muted: false, OnHold: true),
            new RosterEntry("v3:gone", Joined: false, Muted: false, OnHold: false)])));
        Assert.Equal(("conf-old", A), (join.ConferenceId, join.CallControlId));
        Assert.Equal(ConferencePhase.Creating, _room.Phase);

        Decide(Ok(join));
        Assert.Equal((ConferencePhase.Live, "conf-old"), (_room.Phase, _room.ConferenceId));
        Assert.Equal(["v3:old", A], _room.Participants.Select(p => p.CallControlId));
        Assert.Equal("v3:old", _room.AutoHeld);

        // The one who waited alone on hold before the restart is released once the caller is in.
        var unhold = Single<ParticipantsCommand>(Decide(new ParticipantJoined(A, "conf-old")));
        Assert.Equal((ParticipantsAction.Unhold, "v3:old"), (unhold.Action, unhold.CallControlIds.Single()));
    }

    [Fact]
    public void NameInUse_ButNoneRunning_HangsUp()
    {
        var first = Decide(new CallAnswered(A, "+15550000001", "+15559990000", Dialed: false));
        var find = Single<FindConference>(Decide(Failed(first.Commands[1], "90033")));

        Assert.Equal(A, Single<Hangup>(Decide(Ok(find, conferenceId: null))).CallControlId);
        Assert.Equal(ConferencePhase.None, _room.Phase);
    }

    [Fact]
    public void LoneParticipant_IsHeldWithTheRoomsMusic_AndReleasedWhenASecondIsIn()
    {
        var hold = OpenWithA();
        Assert.Equal(new ParticipantsCommand(ParticipantsAction.Hold, Conf, [A], Settings.HoldAudioUrl) { Id = hold.Id }, hold);
        Assert.True(_room.Find(A)!.OnHold);

        Join(B);
        var unhold = Single<ParticipantsCommand>(Decide(new ParticipantJoined(B, Conf)));
        Assert.Equal((ParticipantsAction.Unhold, A), (unhold.Action, unhold.CallControlIds.Single()));
        Decide(Ok(unhold));
        Assert.False(_room.Find(A)!.OnHold);
        Assert.Null(_room.AutoHeld);

        // B leaves: A is alone again and goes back on hold.
        var again = Single<ParticipantsCommand>(Decide(new ParticipantLeft(B, Conf)));
        Assert.Equal((ParticipantsAction.Hold, A), (again.Action, again.CallControlIds.Single()));
    }

    [Fact]
    public void SecondJoinsWhileTheHoldIsOnItsWay_TheHoldsAnswerReleasesTheFirst()
    {
        var answered = Decide(new CallAnswered(A, "+15550000001", "+15559990000", Dialed: false));
        Decide(Ok(answered.Commands[1], Conf));
        var hold = Single<ParticipantsCommand>(Decide(new ParticipantJoined(A, Conf)));
        Join(B);

        Assert.Empty(Decide(new ParticipantJoined(B, Conf)).Commands); // nothing while the hold is on its way
        var unhold = Single<ParticipantsCommand>(Decide(Ok(hold)));

        Assert.Equal((ParticipantsAction.Unhold, A), (unhold.Action, unhold.CallControlIds.Single()));
    }

    [Fact]
    public void JoinedBeforeTheCreateAnswers_IsDecidedOnceTheConferenceIsLive()
    {
        var answered = Decide(new CallAnswered(A, "+15550000001", "+15559990000", Dialed: false));

        Assert.Empty(Decide(new ParticipantJoined(A, Conf)).Commands);
        var opened = Decide(Ok(answered.Commands[1], Conf));

        var hold = Single<ParticipantsCommand>(opened);
        Assert.Equal((ParticipantsAction.Hold, Conf, A), (hold.Action, hold.ConferenceId, hold.CallControlIds.Single()));
        Assert.Equal(ParticipantStatus.InRoom, _room.Find(A)!.Status);
        Assert.Empty(_room.Deferred);
    }

    [Fact]
    public void RepeatedEvents_ChangeNothingAndSendNothing()
    {
        OpenWithA();
        var before = _room;

        Assert.Empty(Decide(new CallAnswered(A, "+15550000001", "+15559990000", Dialed: false)).Commands);
        Assert.Empty(Decide(new ParticipantJoined(A, Conf)).Commands);
        Assert.Same(before, _room);
    }

    [Fact]
    public void LateEventsOfADepartedLeg_DoNotBringItBack()
    {
        OpenWithA();
        Join(B);
        Decide(new ParticipantLeft(B, Conf));

        Assert.Empty(Decide(new ParticipantJoined(B, Conf)).Commands);
        Assert.Empty(Decide(new CallAnswered(B, "+15550000002", "+15559990000", Dialed: false)).Commands);
        Assert.Empty(Decide(new CallInitiated(B, Incoming: true, "+15550000002", "+15559990000")).Commands);
        Assert.Equal([A], _room.Participants.Select(p => p.CallControlId));
    }

    [Fact]
    public void EventsOfAnotherConference_AreIgnored()
    {
        OpenWithA();

        Assert.Empty(Decide(new ParticipantJoined(B, "conf-other")).Commands);
        Assert.Empty(Decide(new ParticipantLeft(A, "conf-other")).Commands);
        Assert.Empty(Decide(new ConferenceEnded("conf-other", null)).Commands);
        Assert.Equal((Conf, 1), (_room.ConferenceId, _room.Participants.Count));
    }

    [Fact]
    public void LastOneLeaves_TheConferenceIsForgotten_AndReported()
    {
        OpenWithA();

        var d = Decide(new CallHungUp(A, "normal_clearing"));

        Assert.Equal((ConferencePhase.None, null), (_room.Phase, _room.ConferenceId));
        Assert.Equal(DepartureReason.HungUp, Assert.Single(d.Events.OfType<ParticipantLeftRoom>()).Reason);
        Assert.Equal(ConferencePhase.None, Assert.Single(d.Events.OfType<RoomUpdated>()).Phase);

        var next = Decide(new CallAnswered(C, "+15550000003", "+15559990000", Dialed: false));
        Assert.IsType<CreateConference>(next.Commands[1]);
    }

    [Fact]
    public void ConferenceEnded_ForgetsTheRoom()
    {
        OpenWithA();
        Join(B);

        var d = Decide(new ConferenceEnded(Conf, "host_left"));

        Assert.Empty(_room.Participants);
        Assert.All(d.Events.OfType<ParticipantLeftRoom>(), e => Assert.Equal(DepartureReason.ConferenceEnded, e.Reason));
        Assert.Equal(2, d.Events.OfType<ParticipantLeftRoom>().Count());
    }

    [Fact]
    public void GreetingFailsBecauseTheCallEnded_TheCallerIsDropped()
    {
        var answered = Decide(new CallAnswered(A, "+15550000001", "+15559990000", Dialed: false));
        Decide(Ok(answered.Commands[1], Conf));

        Decide(Failed(answered.Commands[0], "90018"));

        Assert.Null(_room.Find(A));
        Assert.True(_room.HasDeparted(A));
    }

    [Theory]
    [InlineData(OwnerActionKind.Mute)]
    [InlineData(OwnerActionKind.Hold)]
    [InlineData(OwnerActionKind.RecordStart)]
    public void OwnerAction_WithoutAConference_IsRefusedAtOnce(OwnerActionKind kind)
    {
        var d = Decide(new OwnerAction(kind, A));

        Assert.Equal(OutcomeKind.NoConference, d.Outcome!.Kind);
        Assert.Empty(d.Commands);
    }

    [Fact]
    public void OwnerAction_OnAnUnknownParticipant_IsRefused()
    {
        OpenWithA();

        var d = Decide(new OwnerAction(OwnerActionKind.Mute, B));

        Assert.Equal(OutcomeKind.UnknownParticipant, d.Outcome!.Kind);
        Assert.Contains(B, d.Outcome.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void OwnerMute_WaitsForTelnyx_ThenRecordsTheMute()
    {
        OpenWithA();

        var asked = Decide(new OwnerAction(OwnerActionKind.Mute, A));
        var mute = Single<ParticipantsCommand>(asked);
        Assert.Null(asked.Outcome);
        Assert.Equal(mute.Id, asked.AwaitedCommand);
        Assert.False(_room.Find(A)!.Muted);

        var answered = Decide(Ok(mute));
        Assert.Equal((OutcomeKind.Done, mute.Id), (answered.Outcome!.Kind, answered.AnsweredCommand));
        Assert.True(_room.Find(A)!.Muted);
        Assert.IsType<ParticipantUpdated>(Assert.Single(answered.Events));
    }

    [Fact]
    public void OwnerActionMeetsCallHasEnded_TheLegIsDropped_AndTheOneLeftAloneIsHeld()
    {
        OpenWithA();
        Join(B);
        Decide(Ok(Single<ParticipantsCommand>(Decide(new ParticipantJoined(B, Conf)))));
        Assert.False(_room.Find(A)!.OnHold);

        var mute = Single<ParticipantsCommand>(Decide(new OwnerAction(OwnerActionKind.Mute, B)));
        var d = Decide(Failed(mute, "90018"));

        Assert.Equal(OutcomeKind.CallEnded, d.Outcome!.Kind);
        Assert.Null(_room.Find(B));
        var hold = Single<ParticipantsCommand>(d);
        Assert.Equal((ParticipantsAction.Hold, A), (hold.Action, hold.CallControlIds.Single()));
    }

    [Fact]
    public void OwnerUnholdsTheOneThisServerHeld_TheRoomNoLongerClaimsTheHold()
    {
        OpenWithA();

        Decide(Ok(Single<ParticipantsCommand>(Decide(new OwnerAction(OwnerActionKind.Unhold, A)))));

        Assert.False(_room.Find(A)!.OnHold);
        Assert.Null(_room.AutoHeld);
    }

    [Theory]
    [InlineData("+15551234567\n")]
    [InlineData("+1555 1234567")]
    [InlineData(" +15551234567")]
    [InlineData("15551234567")]
    [InlineData("+05551234567")]
    [InlineData("+1234567890123456")]
    [InlineData("")]
    public void Pull_OfANumberThatIsNotExactlyE164_IsRefused(string number)
    {
        var d = Decide(new OwnerAction(OwnerActionKind.Pull, Number: number));

        Assert.Equal(OutcomeKind.InvalidNumber, d.Outcome!.Kind);
        Assert.Empty(d.Commands);
    }

    [Fact]
    public void Pull_OutsideTheAllowedPrefixes_OrWithoutACallerId_IsRefused()
    {
        Assert.Equal(OutcomeKind.NotAllowed,
            Decide(new OwnerAction(OwnerActionKind.Pull, Number: "+445551234567"), Settings with { PullAllowedPrefixes = ["+1"] }).Outcome!.Kind);
        Assert.Equal(OutcomeKind.NotConfigured,
            Decide(new OwnerAction(OwnerActionKind.Pull, Number: "+15551234567"), Settings with { ConnectionId = null }).Outcome!.Kind);
    }

    [Fact]
    public void Pull_DialsWithTheRoomsDialMarker_AndTheAnsweredLegJoinsUnderItsDialedNumber()
    {
        var asked = Decide(new OwnerAction(OwnerActionKind.Pull, Number: "+15557654321"));
        var dial = Single<Dial>(asked);
        Assert.Equal(("+15557654321", "+15559990000", "123"), (dial.To, dial.From, dial.ConnectionId));
        Assert.True(ClientStateTag.TryDecode(dial.ClientState)!.IsDialed);

        var dialed = Decide(Ok(dial, leg: "v3:dialed-1"));
        Assert.Equal("v3:dialed-1", dialed.Outcome!.CallControlId);

        Decide(new CallAnswered("v3:dialed-1", "+15559990000", "+15557654321", Dialed: true));
        Assert.Equal(("+15557654321", true), (_room.Find("v3:dialed-1")!.Number, _room.Find("v3:dialed-1")!.Dialed));
    }

    [Fact]
    public void CommandIds_AreTheSameForTheSameDecision_AndDifferForEveryOther()
    {
        var input = new CallAnswered(A, "+15550000001", "+15559990000", Dialed: false);
        var once = RoomRules.Decide(_room, Settings, input, Now);
        var again = RoomRules.Decide(_room, Settings, input, Now);

        Assert.Equal(once.Commands.Select(c => c.Id), again.Commands.Select(c => c.Id));
        Assert.Equal(2, once.Commands.Select(c => c.Id).Distinct().Count());
        Assert.All(once.Commands, c => Assert.True(Guid.TryParse(c.Id, out _)));

        _room = once.Room;
        var next = Decide(new CallAnswered(B, "+15550000002", "+15559990000", Dialed: false));
        Assert.DoesNotContain(next.Commands[0].Id, once.Commands.Select(c => c.Id));
    }

    [Fact]
    public void ClientStateTag_RoundTrips_AndRejectsWhatIsNotOurs()
    {
        Assert.Equal(new ClientStateTag("myconf", "dialed"), ClientStateTag.TryDecode(ClientStateTag.Dialed("myconf")));
        Assert.Null(ClientStateTag.TryDecode("aGF2ZSBhIG5pY2UgZGF5ID1d")); // someone else's base64
        Assert.Null(ClientStateTag.TryDecode("not base64!"));
        Assert.Null(ClientStateTag.TryDecode(null));
    }
}
