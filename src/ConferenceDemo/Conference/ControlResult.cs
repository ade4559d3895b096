using ConferenceDemo.Telnyx;

namespace ConferenceDemo.Conference;

public enum ControlOutcome
{
    /// <summary>Telnyx accepted the command.</summary>
    Done,

    /// <summary>No conference, or nobody in it.</summary>
    NoConference,

    /// <summary>The conference has no participant with that call_control_id.</summary>
    UnknownParticipant,

    /// <summary>Not an E.164 number.</summary>
    InvalidNumber,

    /// <summary>A number the pull guard does not allow (PULL_ALLOWED_PREFIXES).</summary>
    NotAllowed,

    /// <summary>A setting the action needs is missing (e.g. TELNYX_PHONE_NUMBER for pull).</summary>
    NotConfigured,

    /// <summary>Telnyx says the participant's call has ended; they were dropped from the room.</summary>
    CallEnded,

    /// <summary>The command failed; <see cref="ControlResult.Failure"/> says how.</summary>
    CommandFailed,
}

/// <summary>What an owner action came to. <see cref="Detail"/> is one line for a person.</summary>
public sealed record ControlResult(ControlOutcome Outcome, string? Detail = null, TelnyxCommandException? Failure = null)
{
    /// <summary>For pull: the call_control_id of the leg Telnyx is dialing.</summary>
    public string? CallControlId { get; init; }

    public static readonly ControlResult Done = new(ControlOutcome.Done);
    public static readonly ControlResult NoConference = new(ControlOutcome.NoConference);

    public static ControlResult From(TelnyxCommandException failure) => failure switch
    {
        { CallHasEnded: true } => new(ControlOutcome.CallEnded, failure.Reason, failure),
        { Failure: TelnyxFailure.NotConfigured } => new(ControlOutcome.NotConfigured, failure.Reason, failure),
        _ => new(ControlOutcome.CommandFailed, failure.Reason, failure),
    };
}

/// <summary>The room as the list route shows it: the conference id and the participants in the order they came.</summary>
public sealed record ConferenceSnapshot(string ConferenceId, IReadOnlyList<Participant> Participants);
