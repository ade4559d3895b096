namespace ConferenceDemo.Rooms;

public enum OutcomeKind
{
    /// <summary>Telnyx accepted the command.</summary>
    Done,

    /// <summary>No conference, or nobody in it.</summary>
    NoConference,

    /// <summary>The conference has no participant with that call_control_id.</summary>
    UnknownParticipant,

    /// <summary>Not an E.164 number.</summary>
    InvalidNumber,

    /// <summary>A number the room's pull guard does not allow.</summary>
    NotAllowed,

    /// <summary>A setting the action needs is missing (e.g. the caller id for pull).</summary>
    NotConfigured,

    /// <summary>Telnyx says the participant's call has ended; they were dropped from the room.</summary>
    CallEnded,

    /// <summary>Nothing to do (nobody to mute, already locked): no command was sent.</summary>
    NothingToDo,

    /// <summary>The room's state does not allow it (e.g. pause a recording that is not running).</summary>
    Conflict,

    /// <summary>The command failed; <see cref="ActionOutcome.Failure"/> says how.</summary>
    CommandFailed,
}

/// <summary>What an owner's action came to. <see cref="Detail"/> is one line for a person.</summary>
public sealed record ActionOutcome(OutcomeKind Kind, string? Detail = null, CommandFailure? Failure = null)
{
    /// <summary>For pull: the call_control_id of the leg Telnyx is dialing.</summary>
    public string? CallControlId { get; init; }

    public static readonly ActionOutcome Done = new(OutcomeKind.Done);

    public static readonly ActionOutcome NoConference = new(OutcomeKind.NoConference);

    public static ActionOutcome From(CommandFailure failure) => failure switch
    {
        { CallHasEnded: true } => new(OutcomeKind.CallEnded, failure.Reason, failure),
        { Kind: FailureKind.NotConfigured } => new(OutcomeKind.NotConfigured, failure.Reason, failure),
        _ => new(OutcomeKind.CommandFailed, failure.Reason, failure),
    };
}

/// <summary>
/// What one input came to: the room's next state, the commands to send (in order), what changed, and for an owner's
/// action either its outcome at once (a refusal) or the command whose answer decides it.
/// </summary>
public sealed record Decision(Room Room, IReadOnlyList<RoomCommand> Commands, IReadOnlyList<RoomEvent> Events)
{
    /// <summary>The outcome of an owner's action: a refusal decided at once, or the answer to its command.</summary>
    public ActionOutcome? Outcome { get; init; }

    /// <summary>For an owner's action that sent a command: the id whose answer decides the outcome.</summary>
    public string? AwaitedCommand { get; init; }

    /// <summary>For <see cref="CommandCompleted"/> of an owner's command: which awaited command this outcome answers.</summary>
    public string? AnsweredCommand { get; init; }

    /// <summary>When the room needs deciding again even if nothing happens (a time-limit warning is due): a <see cref="ClockTick"/> then.</summary>
    public DateTimeOffset? WakeAt { get; init; }

    /// <summary>What the rules noted about the input, for the log (e.g. "late event for a departed leg").</summary>
    public IReadOnlyList<string> Notes { get; init; } = [];
}
