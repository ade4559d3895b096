using ConferenceDemo.Rooms;

namespace ConferenceDemo.Tests.Rooms;

/// <summary>Entry rules of a room with PINs and moderators, without a host: PIN tries, roles, waiting, ending, muting, full.</summary>
public sealed class RoomEntryRulesTests
{
    private const string A = "v3:A", B = "v3:B", C = "v3:C";
    private const string Conf = "conf-9";
    private static readonly DateTimeOffset Now = DateTimeOffset.FromUnixTimeSeconds(1_800_000_000);

    private static readonly RoomSettings Sales = new()
    {
        Id = "sales",
        DialIn = ["+15558880000"],
        Pin = "1234",
        ModeratorPin = "9876",
        HoldAudioUrl = "https://example.com/sales-hold.mp3",
    };

    private Room _room = Room.Create("sales", Guid.Parse("6f1c2a8e-0000-4000-8000-000000000002"));

    private Decision Decide(RoomInput input, RoomSettings settings)
    {
        var decision = RoomRules.Decide(_room, settings, input, Now);
        _room = decision.Room;
        return decision;
    }

    private static CommandCompleted Ok(RoomCommand command, string? conferenceId = null) => new(command, new CommandResult { ConferenceId = conferenceId });

    private Decision Answer(string leg, RoomSettings settings) => Decide(new CallAnswered(leg, "+1555000000" + leg[^1], "+15558880000", Dialed: false), settings);

    /// <summary>Answers the leg, enters the digits, and returns what entering them decided.</summary>
    private Decision Enter(string leg, string digits, RoomSettings settings)
    {
        Answer(leg, settings);
        return Decide(new GatherEnded(leg, digits, "valid"), settings);
    }

    [Fact]
    public void CallerOfAPinRoom_IsAskedForThePin_BeforeAnyGreetingOrSeat()
    {
        var d = Answer(A, Sales);

        var gather = Assert.IsType<GatherUsingSpeak>(Assert.Single(d.Commands));
        Assert.Equal(("Please enter the conference PIN, then press pound.", 12), (gather.Text, gather.MaximumDigits));
        Assert.Equal(ParticipantStatus.EnteringPin, _room.Find(A)!.Status);
        Assert.Equal(ConferencePhase.None, _room.Phase);
    }

    [Fact]
    public void RightPin_LetsTheCallerInAsAMember_GreetedAndSeated()
    {
        var d = Enter(A, "1234", Sales);

        Assert.Collection(d.Commands, c => Assert.IsType<Speak>(c), c => Assert.IsType<CreateConference>(c));
        Assert.Equal((ParticipantRole.Member, ParticipantStatus.Answered), (_room.Find(A)!.Role, _room.Find(A)!.Status));
        Assert.DoesNotContain(d.Notes, n => n.Contains("1234", StringComparison.Ordinal));
    }

    [Fact]
    public void ModeratorPin_MakesTheCallerAModerator()
    {
        Enter(A, "9876", Sales);

        Assert.Equal(ParticipantRole.Moderator, _room.Find(A)!.Role);
    }

    [Fact]
    public void WrongPinThreeTimes_IsRepromptedTwice_ThenToldGoodbyeAndHungUpAfterTheGoodbye()
    {
        var first = Enter(A, "0000", Sales);
        Assert.Equal("That PIN is not right. Please enter the conference PIN, then press pound.",
            Assert.IsType<GatherUsingSpeak>(Assert.Single(first.Commands)).Text);
        Assert.IsType<GatherUsingSpeak>(Assert.Single(Decide(new GatherEnded(A, "1111", "valid"), Sales).Commands));

        var third = Decide(new GatherEnded(A, "2222", "valid"), Sales);
        Assert.Equal("That PIN is not right. Goodbye.", Assert.IsType<Speak>(Assert.Single(third.Commands)).Text);
        Assert.Null(_room.Find(A));
        Assert.Equal(DepartureReason.WrongPin, Assert.Single(third.Events.OfType<ParticipantLeftRoom>()).Reason);

        var spoken = Decide(new SpeakEnded(A), Sales);
        Assert.Equal(A, Assert.IsType<Hangup>(Assert.Single(spoken.Commands)).CallControlId);
        Assert.Empty(_room.Farewells);
    }

    [Fact]
    public void RoomWithOnlyAModeratorPin_LetsAMemberInOnPoundAlone()
    {
        var moderatorsOnly = Sales with { Pin = null };

        Enter(A, "", moderatorsOnly);
        Enter(B, "9876", moderatorsOnly);

        Assert.Equal(ParticipantRole.Member, _room.Find(A)!.Role);
        Assert.Equal(ParticipantRole.Moderator, _room.Find(B)!.Role);
    }

    [Fact]
    public void DialedLeg_SkipsThePin()
    {
        var d = Decide(new CallAnswered(A, "+15558880000", "+15557654321", Dialed: true) { DialedAs = ParticipantRole.Moderator }, Sales);

        Assert.Collection(d.Commands, c => Assert.IsType<Speak>(c), c => Assert.IsType<CreateConference>(c));
        Assert.Equal(ParticipantRole.Moderator, _room.Find(A)!.Role);
    }

    [Fact]
    public void WaitForModerator_AMemberOpensItUnstarted_WithTheHoldAudio_AndTheModeratorStartsIt()
    {
        var settings = Sales with { WaitForModerator = true };
        var create = Assert.IsType<CreateConference>(Enter(A, "1234", settings).Commands[1]);
        Assert.Equal((false, "https://example.com/sales-hold.mp3"), (create.StartOnCreate, create.HoldAudioUrl));
        Decide(Ok(create, Conf), settings);
        Assert.Empty(Decide(new ParticipantJoined(A, Conf), settings).Commands); // no lone-caller hold: Telnyx plays it

        var member = Assert.IsType<JoinConference>(Enter(B, "1234", settings).Commands[1]);
        var moderator = Assert.IsType<JoinConference>(Enter(C, "9876", settings).Commands[1]);

        Assert.False(member.StartOnEnter);
        Assert.True(moderator.StartOnEnter);
    }

    [Fact]
    public void WaitForModerator_AModeratorOpensItStarted()
    {
        var settings = Sales with { WaitForModerator = true };

        var create = Assert.IsType<CreateConference>(Enter(A, "9876", settings).Commands[1]);

        Assert.Null(create.StartOnCreate);
        Assert.Null(create.HoldAudioUrl);
    }

    [Fact]
    public void EndWhenModeratorLeaves_TheModeratorJoinsWithEndOnExit_AndTheLastModeratorsDepartureEndsTheConference()
    {
        var settings = Sales with { EndWhenModeratorLeaves = true };
        Decide(Ok(Enter(A, "1234", settings).Commands[1], Conf), settings);
        var join = Assert.IsType<JoinConference>(Enter(B, "9876", settings).Commands[1]);
        Assert.True(join.EndOnExit);
        Decide(Ok(join), settings);
        Decide(new ParticipantJoined(B, Conf), settings);

        var left = Decide(new ParticipantLeft(B, Conf), settings);

        Assert.Equal(Conf, Assert.IsType<EndConference>(Assert.Single(left.Commands.OfType<EndConference>())).ConferenceId);
        var ended = Decide(new ConferenceEnded(Conf, "end_conference_on_exit"), settings);
        Assert.Equal(DepartureReason.ModeratorLeft, Assert.Single(ended.Events.OfType<ParticipantLeftRoom>()).Reason);
    }

    [Fact]
    public void MemberLeaving_DoesNotEndTheConference()
    {
        var settings = Sales with { EndWhenModeratorLeaves = true };
        Decide(Ok(Enter(A, "9876", settings).Commands[1], Conf), settings);
        Decide(Ok(Enter(B, "1234", settings).Commands[1]), settings);

        Assert.DoesNotContain(Decide(new ParticipantLeft(B, Conf), settings).Commands, c => c is EndConference);
    }

    [Fact]
    public void JoinMuted_MembersJoinMuted_ModeratorsNever_AndAMemberWhoOpensItIsMuted()
    {
        var settings = Sales with { JoinMuted = true };
        var opened = Decide(Ok(Enter(A, "1234", settings).Commands[1], Conf), settings);
        var mute = Assert.IsType<ParticipantsCommand>(Assert.Single(opened.Commands));
        Assert.Equal((ParticipantsAction.Mute, A), (mute.Action, mute.CallControlIds.Single()));
        Decide(Ok(mute), settings);
        Assert.True(_room.Find(A)!.Muted);

        var member = Assert.IsType<JoinConference>(Enter(B, "1234", settings).Commands[1]);
        var moderator = Assert.IsType<JoinConference>(Enter(C, "9876", settings).Commands[1]);
        Assert.True(member.Mute);
        Assert.Null(moderator.Mute);
        Decide(Ok(member), settings);
        Assert.True(_room.Find(B)!.Muted);
    }

    [Fact]
    public void Full_ANewCallerHearsSo_AndIsHungUp_WithoutAJoin()
    {
        var settings = Sales with { Pin = null, ModeratorPin = null, MaxParticipants = 2 };
        Decide(Ok(Answer(A, settings).Commands[1], Conf), settings);
        Answer(B, settings);

        var third = Answer(C, settings);

        Assert.Equal("This conference is full. Goodbye.", Assert.IsType<Speak>(Assert.Single(third.Commands)).Text);
        Assert.Null(_room.Find(C));
        Assert.Equal(DepartureReason.Full, Assert.Single(third.Events.OfType<ParticipantLeftRoom>()).Reason);
        Assert.IsType<Hangup>(Assert.Single(Decide(new SpeakEnded(C), settings).Commands));
    }

    [Fact]
    public void RoomOptions_AreSentOnCreateAndJoin()
    {
        var settings = Sales with { Pin = null, ModeratorPin = null, Beep = "on_enter", MaxParticipants = 10 };

        var create = Assert.IsType<CreateConference>(Answer(A, settings).Commands[1]);
        Decide(Ok(create, Conf), settings);
        var join = Assert.IsType<JoinConference>(Answer(B, settings).Commands[1]);

        Assert.Equal(("on_enter", 10), (create.Beep, create.MaxParticipants));
        Assert.Equal(("on_enter", (bool?)null, (bool?)null), (join.Beep, join.StartOnEnter, join.EndOnExit));
    }
}
