using System.Collections.Immutable;

namespace ConferenceDemo.Rooms;

/// <summary>
/// A Call Control command a decision sends. <see cref="Id"/> is chosen in the decision and is the command_id
/// Telnyx sees, so every retry and re-send of the command carries the same one.
/// </summary>
public abstract record RoomCommand
{
    public required string Id { get; init; }

    /// <summary>Sent for an owner's action, whose outcome someone awaits.</summary>
    public bool ForOwner { get; init; }

    /// <summary>Telnyx's name for the command, for logs.</summary>
    public abstract string Name { get; }

    /// <summary>The leg the command acts on, if one.</summary>
    public abstract string? Leg { get; }
}

/// <summary>Answers an inbound call, marking the leg with the room (client_state) so its later events find the room.</summary>
public sealed record Answer(string CallControlId, string ClientState) : RoomCommand
{
    public override string Name => "answer";

    public override string? Leg => CallControlId;
}

public sealed record Hangup(string CallControlId) : RoomCommand
{
    public override string Name => "hangup";

    public override string? Leg => CallControlId;
}

public sealed record Speak(string CallControlId, string Text, string Voice, string Language) : RoomCommand
{
    public override string Name => "speak";

    public override string? Leg => CallControlId;
}

/// <summary>Creates the conference around an answered leg. The options are sent only when the room's settings call for them.</summary>
public sealed record CreateConference(string CallControlId, string ConferenceName, string ClientState) : RoomCommand
{
    public string? Beep { get; init; }

    public int? MaxParticipants { get; init; }

    /// <summary>False when the conference must wait for a moderator; null leaves Telnyx's default (start at once).</summary>
    public bool? StartOnCreate { get; init; }

    /// <summary>What joiners hear before the conference starts (only with <see cref="StartOnCreate"/> false).</summary>
    public string? HoldAudioUrl { get; init; }

    public override string Name => "create_conference";

    public override string? Leg => CallControlId;
}

/// <summary>Looks up the in-progress conference of that name (after a create was refused as name in use).</summary>
public sealed record FindConference(string ConferenceName) : RoomCommand
{
    public override string Name => "list_conferences";

    public override string? Leg => null;
}

public sealed record ListParticipants(string ConferenceId) : RoomCommand
{
    public override string Name => "list_participants";

    public override string? Leg => null;
}

/// <summary>Joins a leg to the conference. The options are sent only when the room's settings call for them.</summary>
public sealed record JoinConference(string ConferenceId, string CallControlId, string ClientState) : RoomCommand
{
    public string? Beep { get; init; }

    public bool? StartOnEnter { get; init; }

    public bool? EndOnExit { get; init; }

    public bool? Mute { get; init; }

    public override string Name => "join";

    public override string? Leg => CallControlId;
}

/// <summary>Conference mute, unmute, hold or unhold of some of its legs.</summary>
public sealed record ParticipantsCommand(ParticipantsAction Action, string ConferenceId, ImmutableArray<string> CallControlIds,
    string? AudioUrl = null) : RoomCommand
{
    public override string Name => Action.ToString().ToLowerInvariant();

    public override string? Leg => CallControlIds.Length == 1 ? CallControlIds[0] : null;

    // The legs compare by value, so that two equal commands are equal records.
    public bool Equals(ParticipantsCommand? other) =>
        other is not null && base.Equals(other) && Action == other.Action && ConferenceId == other.ConferenceId
        && AudioUrl == other.AudioUrl && CallControlIds.SequenceEqual(other.CallControlIds);

    public override int GetHashCode() => HashCode.Combine(base.GetHashCode(), Action, ConferenceId, AudioUrl, CallControlIds.Length);
}

public enum ParticipantsAction
{
    Mute,
    Unmute,
    Hold,
    Unhold,
}

/// <summary>Asks the caller for digits (the room's PIN), ended by # (call.gather.ended).</summary>
public sealed record GatherUsingSpeak(string CallControlId, string Text, string Voice, string Language, int MaximumDigits) : RoomCommand
{
    public override string Name => "gather_using_speak";

    public override string? Leg => CallControlId;
}

/// <summary>Ends the conference for everyone.</summary>
public sealed record EndConference(string ConferenceId) : RoomCommand
{
    public override string Name => "end";

    public override string? Leg => null;
}

public sealed record RecordStart(string CallControlId, string Format, string Channels) : RoomCommand
{
    public override string Name => "record_start";

    public override string? Leg => CallControlId;
}

public sealed record RecordStop(string CallControlId) : RoomCommand
{
    public override string Name => "record_stop";

    public override string? Leg => CallControlId;
}

public sealed record Dial(string To, string From, string ConnectionId, string ClientState) : RoomCommand
{
    public override string Name => "dial";

    public override string? Leg => null;
}

/// <summary>What came of a command. A success may carry what the command returned.</summary>
public sealed record CommandResult
{
    public CommandFailure? Failure { get; init; }

    /// <summary>Create: the new conference's id. Find: the running conference's id, or null when none runs.</summary>
    public string? ConferenceId { get; init; }

    /// <summary>Dial: the new leg.</summary>
    public string? CallControlId { get; init; }

    /// <summary>List participants: who Telnyx has in the conference.</summary>
    public ImmutableList<RosterEntry>? Roster { get; init; }

    public bool Succeeded => Failure is null;

    public static readonly CommandResult Ok = new();

    public static CommandResult Failed(CommandFailure failure) => new() { Failure = failure };
}

public enum FailureKind
{
    /// <summary>The server is not set up to send it (no API key).</summary>
    NotConfigured,

    /// <summary>Telnyx answered with an error.</summary>
    Rejected,

    TimedOut,

    Unreachable,

    /// <summary>Telnyx answered 2xx with a body that cannot be used.</summary>
    InvalidResponse,

    /// <summary>Telnyx asked to wait longer than the command may take.</summary>
    RateLimited,

    /// <summary>The server failed on its own side while sending it (a bug; the log has it).</summary>
    Internal,
}

/// <summary>Why a command failed, in the terms the rules need: Telnyx's error codes, and one line for a person.</summary>
public sealed record CommandFailure(FailureKind Kind, string Reason, int? StatusCode = null, ImmutableArray<string> Codes = default)
{
    /// <summary>422 with code 90018: the leg has hung up; the command can never succeed.</summary>
    public bool CallHasEnded => HasCode("90018");

    /// <summary>422 with code 90032: the conference has its maximum of participants.</summary>
    public bool ConferenceFull => HasCode("90032");

    /// <summary>422 with code 90033: a conference of that name is already running.</summary>
    public bool NameInUse => HasCode("90033");

    public bool HasCode(string code) => !Codes.IsDefault && Codes.Contains(code);
}
