using System.Collections.Immutable;
using System.Text.Json;
using ConferenceDemo.Rooms;
using ConferenceDemo.Storage;

namespace ConferenceDemo.Tests.Storage;

/// <summary>What the stores write: every input, command and event type, and a room, read back as they were.</summary>
public sealed class StorageJsonTests
{
    private static readonly DateTimeOffset At = DateTimeOffset.FromUnixTimeSeconds(1_800_000_000);

    private static readonly Participant Caller = new("v3:leg-1", "+15550000001")
    {
        Role = ParticipantRole.Moderator, Status = ParticipantStatus.InRoom, Muted = true, OnHold = true, Recording = true, Dialed = true, Since = At,
    };

    private static readonly SavedRecording Saved = new("rec-1", At, At.AddSeconds(150), "mp3", "dual");

    private static readonly CommandFailure Failure = new(FailureKind.Rejected, "name in use", 422, ["90033", "10015"]);

    public static readonly RoomCommand[] Commands =
    [
        new Answer("v3:leg-1", "eyJyIjoibXljb25mIiwicCI6ImNhbGxlciJ9") { Id = "c-1" },
        new Hangup("v3:leg-1") { Id = "c-2", ForOwner = true },
        new Speak("v3:leg-1", "Welcome", "female", "en-GB") { Id = "c-3" },
        new CreateConference("v3:leg-1", "myconf", "eyJyIjoibXljb25mIn0=") { Id = "c-4" },
        new FindConference("myconf") { Id = "c-5" },
        new ListParticipants("conf-1") { Id = "c-6" },
        new JoinConference("conf-1", "v3:leg-2", "eyJyIjoibXljb25mIn0=") { Id = "c-7" },
        new ParticipantsCommand(ParticipantsAction.Hold, "conf-1", ["v3:leg-1", "v3:leg-2"], "https://example.com/hold.mp3") { Id = "c-8" },
        new RecordStart("v3:leg-1", "mp3", "dual") { Id = "c-9", ForOwner = true },
        new RecordStop("v3:leg-1") { Id = "c-10" },
        new Dial("+15557654321", "+15559990000", "1234", "eyJyIjoibXljb25mIiwicCI6ImRpYWwifQ==") { Id = "c-11", ForOwner = true },
        new GatherUsingSpeak("v3:leg-1", "Please enter the conference PIN, then press pound.", "female", "en-GB", 12) { Id = "c-12" },
        new EndConference("conf-1") { Id = "c-13" },
        new CreateConference("v3:leg-1", "sales", "eyJyIjoic2FsZXMifQ==")
        {
            Id = "c-14", Beep = "on_enter", MaxParticipants = 10, StartOnCreate = false, HoldAudioUrl = "https://example.com/hold.mp3",
        },
        new JoinConference("conf-1", "v3:leg-2", "eyJyIjoic2FsZXMifQ==") { Id = "c-15", Beep = "always", StartOnEnter = true, EndOnExit = true, Mute = true },
        new ConferenceSpeak("conf-1", "Five minutes left", "female", "en-GB", ["v3:leg-2"]) { Id = "c-16" },
        new ConferencePlay("conf-1", "https://example.com/jingle.mp3", []) { Id = "c-17", ForOwner = true },
        new ConferenceStopAudio("conf-1") { Id = "c-18", ForOwner = true },
        new ConferenceRecording(RecordingAction.Start, "conf-1", "wav", "single") { Id = "c-19", ForOwner = true },
        new ConferenceRecording(RecordingAction.Pause, "conf-1") { Id = "c-20", ForOwner = true },
    ];

    public static readonly RoomInput[] Inputs =
    [
        new CallInitiated("v3:leg-1", true, "+15550000001", "+15559990000"),
        new CallAnswered("v3:leg-1", "+15550000001", null, Dialed: true),
        new CallHungUp("v3:leg-1", "normal_clearing"),
        new ConferenceCreated("conf-1", "v3:leg-1"),
        new ParticipantJoined("v3:leg-1", "conf-1"),
        new ParticipantLeft("v3:leg-1", "conf-1"),
        new ConferenceEnded("conf-1", "host_left"),
        new OwnerAction(OwnerActionKind.Pull, Number: "+15557654321"),
        new CommandCompleted(Commands[3], new CommandResult { ConferenceId = "conf-1" }),
        new CommandCompleted(Commands[5], new CommandResult
        {
            Roster = [new RosterEntry("v3:leg-9", Joined: true, Muted: false, OnHold: true)],
        }),
        new CommandCompleted(Commands[10], CommandResult.Failed(Failure)),
        new GatherEnded("v3:leg-1", "1234", "valid"),
        new SpeakEnded("v3:leg-1"),
        new CallAnswered("v3:leg-2", "+15559990000", "+15557654321", Dialed: true) { DialedAs = ParticipantRole.Moderator },
        new OwnerAction(OwnerActionKind.Pull, Number: "+15557654321") { Role = ParticipantRole.Moderator },
        new RecordingSaved("conf-1", Saved),
        new FloorChanged("v3:leg-2", "conf-1"),
        ClockTick.Instance,
    ];

    public static readonly RoomEvent[] Events =
    [
        new ParticipantJoinedRoom("myconf", Caller),
        new ParticipantUpdated("myconf", Caller with { Muted = false }),
        new ParticipantLeftRoom("myconf", Caller, DepartureReason.NotSeated),
        new ParticipantLeftRoom("sales", Caller, DepartureReason.WrongPin),
        new RoomUpdated("myconf", ConferencePhase.Live, "conf-1", Locked: true) { Recording = RecordingState.Paused, Speaker = "v3:leg-1" },
        new RecordingSavedInRoom("myconf", Saved),
        new TimeWarning("myconf", 5),
    ];

    public static TheoryData<int> CommandCases => [.. Enumerable.Range(0, Commands.Length)];

    public static TheoryData<int> InputCases => [.. Enumerable.Range(0, Inputs.Length)];

    public static TheoryData<int> EventCases => [.. Enumerable.Range(0, Events.Length)];

    [Theory]
    [MemberData(nameof(CommandCases))]
    public void EveryCommand_ReadsBackEqual_AsItsOwnType(int index) => AssertRoundTrip(Commands[index]);

    [Theory]
    [MemberData(nameof(InputCases))]
    public void EveryInput_ReadsBackEqual_AsItsOwnType(int index) => AssertRoundTrip(Inputs[index]);

    [Theory]
    [MemberData(nameof(EventCases))]
    public void EveryEvent_ReadsBackEqual_AsItsOwnType(int index) => AssertRoundTrip(Events[index]);

    [Theory]
    [InlineData(typeof(RoomCommand))]
    [InlineData(typeof(RoomInput))]
    [InlineData(typeof(RoomEvent))]
    public void EveryConcreteType_HasASampleHere(Type baseType)
    {
        // A new input, command or event type is stored without a change to the serializer; this keeps it tested.
        object[] samples = baseType == typeof(RoomCommand) ? Commands : baseType == typeof(RoomInput) ? Inputs : Events;
        var covered = samples.Select(s => s.GetType()).ToHashSet();
        var missing = StorageJson.SubtypesOf(baseType).Where(t => !covered.Contains(t)).Select(t => t.Name).ToList();
        Assert.True(missing.Count == 0, $"add a sample of {string.Join(", ", missing)} to {nameof(StorageJsonTests)}");
    }

    [Fact]
    public void ARoom_ReadsBackWithItsParticipantsDeferredInputsAndAdoption()
    {
        var room = Room.Create("myconf", Guid.Parse("0b5c3f7e-2f1a-4e55-9a55-2d6c1c1b7a10")) with
        {
            Version = 7,
            Phase = ConferencePhase.Creating,
            ConferenceId = "conf-1",
            Creator = "v3:leg-1",
            Adopting = new Adoption("conf-0", [new RosterEntry("v3:leg-0", true, true, false)]),
            Locked = true,
            Participants = [Caller, new Participant("v3:leg-2", Participant.UnknownNumber)],
            Departed = ["v3:gone"],
            AutoHeld = "v3:leg-1",
            AutoHoldCommand = "c-8",
            Deferred = [Inputs[4], Inputs[5]],
            Recording = RecordingState.On,
            RecordingCommand = "c-19",
            Recordings = [Saved],
            Speaker = "v3:leg-2",
            EndsAt = At.AddMinutes(30),
            WarningsGiven = [5],
        };

        var back = StorageJson.Deserialize<Room>(StorageJson.Serialize(room));

        Assert.Equal((room.Id, room.Epoch, room.Version, room.Phase, room.ConferenceId, room.Creator, room.Locked, room.AutoHeld, room.AutoHoldCommand),
            (back.Id, back.Epoch, back.Version, back.Phase, back.ConferenceId, back.Creator, back.Locked, back.AutoHeld, back.AutoHoldCommand));
        Assert.Equal(room.Participants, back.Participants);
        Assert.Equal(room.Departed, back.Departed);
        Assert.Equal(room.Deferred, back.Deferred);
        Assert.Equal(room.Adopting.ConferenceId, back.Adopting!.ConferenceId);
        Assert.Equal(room.Adopting.Roster, back.Adopting.Roster);
        Assert.Equal((room.Recording, room.RecordingCommand, room.Speaker, room.EndsAt), (back.Recording, back.RecordingCommand, back.Speaker, back.EndsAt));
        Assert.Equal(room.Recordings, back.Recordings);
        Assert.Equal(room.WarningsGiven, back.WarningsGiven);
    }

    [Fact]
    public void AFailureWithoutCodes_ReadsBackWithoutCodes()
    {
        var failure = new CommandFailure(FailureKind.TimedOut, "timed out");

        var back = StorageJson.Deserialize<CommandFailure>(StorageJson.Serialize(failure));

        Assert.True(back.Codes.IsDefault);
        Assert.False(back.NameInUse);
    }

    [Fact]
    public void ComputedProperties_AreNotWritten_AndTheTypeIsNamed()
    {
        var json = JsonDocument.Parse(StorageJson.Serialize<RoomCommand>(Commands[0])).RootElement;

        Assert.Equal("Answer", json.GetProperty("$type").GetString());
        Assert.False(json.TryGetProperty("Name", out _));
        Assert.False(json.TryGetProperty("Leg", out _));
    }

    [Fact]
    public void AnUnknownType_IsAClearError()
    {
        var error = Assert.Throws<JsonException>(() => StorageJson.Deserialize<RoomInput>("""{"$type":"NoSuchInput"}"""));

        Assert.Contains("NoSuchInput", error.Message, StringComparison.Ordinal);
    }

    private static void AssertRoundTrip<T>(T sample)
        where T : class
    {
        var json = StorageJson.Serialize(sample);
        var back = StorageJson.Deserialize<T>(json);

        Assert.Equal(sample.GetType(), back.GetType());
        Assert.Equal(json, StorageJson.Serialize(back));
        if (sample is CommandCompleted completed)
        {
            // Its result holds lists, which records compare by reference.
            var other = Assert.IsType<CommandCompleted>(back);
            Assert.Equal(completed.Command, other.Command);
            Assert.Equal(Normalize(completed.Result), Normalize(other.Result));
        }
        else
        {
            Assert.Equal(sample, back);
        }
    }

    /// <summary>Records compare collections by reference; this compares them by content, through the properties.</summary>
    private static string Normalize(object value) => JsonSerializer.Serialize(value, value.GetType(), new JsonSerializerOptions
    {
        Converters = { new System.Text.Json.Serialization.JsonStringEnumConverter() },
    });
}
