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
}

/// <summary>The conference opened, ended or changed hands, or the room was locked or unlocked.</summary>
public sealed record RoomUpdated(string Room, ConferencePhase Phase, string? ConferenceId, bool Locked) : RoomEvent(Room)
{
    public override string Type => "room_updated";
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
}
