namespace ConferenceDemo.Rooms;

/// <summary>Something that happened to a room: a Telnyx event, an owner's action, or the answer to a command.</summary>
public abstract record RoomInput;

/// <summary>call.initiated. <paramref name="Incoming"/> is false for legs this server dialed.</summary>
public sealed record CallInitiated(string CallControlId, bool Incoming, string? From, string? To) : RoomInput;

/// <summary>
/// call.answered. <paramref name="Dialed"/> when the leg carries this server's dial marker, with the role it was
/// dialed for.
/// </summary>
public sealed record CallAnswered(string CallControlId, string? From, string? To, bool Dialed) : RoomInput
{
    public ParticipantRole DialedAs { get; init; }
}

/// <summary>call.hangup.</summary>
public sealed record CallHungUp(string CallControlId, string? Cause) : RoomInput;

/// <summary>conference.created (informational: the create's answer is what opens the room).</summary>
public sealed record ConferenceCreated(string ConferenceId, string? CallControlId) : RoomInput;

/// <summary>conference.participant.joined.</summary>
public sealed record ParticipantJoined(string CallControlId, string ConferenceId) : RoomInput;

/// <summary>conference.participant.left.</summary>
public sealed record ParticipantLeft(string CallControlId, string ConferenceId) : RoomInput;

/// <summary>call.gather.ended: the digits a caller entered (without the terminating #), and Telnyx's status.</summary>
public sealed record GatherEnded(string CallControlId, string? Digits, string? Status) : RoomInput;

/// <summary>call.speak.ended: what the leg was told has been said.</summary>
public sealed record SpeakEnded(string CallControlId) : RoomInput;

/// <summary>conference.ended.</summary>
public sealed record ConferenceEnded(string ConferenceId, string? Reason) : RoomInput;

/// <summary>The room's owner asks for something; decided like any event, answered with an <see cref="ActionOutcome"/>.</summary>
public sealed record OwnerAction(OwnerActionKind Kind, string? CallControlId = null, string? Number = null) : RoomInput
{
    /// <summary>For pull: the role the dialed leg gets when it answers.</summary>
    public ParticipantRole Role { get; init; }
}

public enum OwnerActionKind
{
    Mute,
    Unmute,
    Hold,
    Unhold,
    RecordStart,
    RecordStop,
    Pull,
}

/// <summary>Telnyx's answer to a command this room sent (after its retries).</summary>
public sealed record CommandCompleted(RoomCommand Command, CommandResult Result) : RoomInput;
