namespace ConferenceDemo.Rooms;

/// <summary>What a decision changed in a room, for anyone watching it (the room feed, the dashboard).</summary>
public abstract record RoomEvent(string Room)
{
    /// <summary>The event's name on the wire: participant_joined, participant_updated, participant_left, room_updated.</summary>
    public abstract string Type { get; }
}

public sealed record ParticipantJoinedRoom(string Room, Participant Participant) : RoomEvent(Room)
{
    public override string Type => "participant_joined";
}

public sealed record ParticipantUpdated(string Room, Participant Participant) : RoomEvent(Room)
{
    public override string Type => "participant_updated";
}

public sealed record ParticipantLeftRoom(string Room, Participant Participant, DepartureReason Reason) : RoomEvent(Room)
{
    public override string Type => "participant_left";

    /// <summary>The reason on the wire: hung_up, kicked, conference_ended, moderator_left, time_limit, full, locked_out, wrong_pin.</summary>
    public string ReasonName => Departures.Name(Reason);
}

/// <summary>The conference opened, ended or changed hands, the room was locked or unlocked, its recording or its speaker changed.</summary>
public sealed record RoomUpdated(string Room, ConferencePhase Phase, string? ConferenceId, bool Locked) : RoomEvent(Room)
{
    public override string Type => "room_updated";

    public RecordingState Recording { get; init; }

    /// <summary>The participant who has the floor (conference.floor.changed), if any.</summary>
    public string? Speaker { get; init; }
}

/// <summary>conference.recording.saved: a recording of the room is at Telnyx.</summary>
public sealed record RecordingSavedInRoom(string Room, SavedRecording Recording) : RoomEvent(Room)
{
    public override string Type => "recording_saved";
}

/// <summary>A time-limit warning was spoken to the room.</summary>
public sealed record TimeWarning(string Room, int MinutesLeft) : RoomEvent(Room)
{
    public override string Type => "time_warning";
}

public static class Departures
{
    /// <summary>The snake_case word of a reason. Legs that left the conference or whose call ended count as hung up.</summary>
    public static string Name(DepartureReason reason) => reason switch
    {
        DepartureReason.Kicked => "kicked",
        DepartureReason.ConferenceEnded => "conference_ended",
        DepartureReason.ModeratorLeft => "moderator_left",
        DepartureReason.TimeLimit => "time_limit",
        DepartureReason.Full => "full",
        DepartureReason.LockedOut => "locked_out",
        DepartureReason.WrongPin => "wrong_pin",
        _ => "hung_up",
    };
}

/// <summary>Why a participant left the room.</summary>
public enum DepartureReason
{
    /// <summary>Their call hung up.</summary>
    HungUp,

    /// <summary>They left the conference (conference.participant.left).</summary>
    Left,

    /// <summary>Telnyx said their call had already ended when a command was sent to it.</summary>
    CallEnded,

    /// <summary>They could not be put in the conference and were hung up.</summary>
    NotSeated,

    /// <summary>The conference ended.</summary>
    ConferenceEnded,

    /// <summary>The room was full: they heard so and were hung up.</summary>
    Full,

    /// <summary>They did not enter the right PIN in three tries.</summary>
    WrongPin,

    /// <summary>The last moderator left a room that ends with its moderator.</summary>
    ModeratorLeft,

    /// <summary>The owner kicked them: they heard a notice and were hung up.</summary>
    Kicked,

    /// <summary>The conference reached its time limit (duration_minutes), or Telnyx ended the call for its time limit.</summary>
    TimeLimit,

    /// <summary>The room was locked: they heard so and were hung up.</summary>
    LockedOut,
}
