using System.Collections.Immutable;

namespace ConferenceDemo.Rooms;

/// <summary>Where a caller is on the way into the room.</summary>
public enum ParticipantStatus
{
    /// <summary>Answered and greeted; the create or join is on its way (or waits for the conference being created).</summary>
    Answered,

    /// <summary>Being asked for the room's PIN.</summary>
    EnteringPin,

    /// <summary>Telnyx accepted the create or join; conference.participant.joined has not come yet.</summary>
    Joining,

    /// <summary>conference.participant.joined came: the caller is in the room.</summary>
    InRoom,
}

public enum ParticipantRole
{
    Member,
    Moderator,
}

/// <summary>Where the room's Telnyx conference is.</summary>
public enum ConferencePhase
{
    /// <summary>No conference: the next caller creates one.</summary>
    None,

    /// <summary>A create (or the adoption of a conference still running at Telnyx) is on its way.</summary>
    Creating,

    /// <summary>The conference exists at Telnyx: <see cref="Room.ConferenceId"/>.</summary>
    Live,
}

/// <summary>One call leg of the room, keyed by its call_control_id. Immutable: a decision makes a changed copy.</summary>
public sealed record Participant(string CallControlId, string Number)
{
    public const string UnknownNumber = "unknown";

    public ParticipantRole Role { get; init; }

    public ParticipantStatus Status { get; init; }

    public bool Muted { get; init; }

    public bool OnHold { get; init; }

    public bool Recording { get; init; }

    /// <summary>True for legs this server dialed (pull).</summary>
    public bool Dialed { get; init; }

    /// <summary>When the leg was answered (or first seen in the conference).</summary>
    public DateTimeOffset Since { get; init; }

    /// <summary>Wrong PINs entered so far.</summary>
    public int PinTries { get; init; }
}

/// <summary>
/// A room's state: its Telnyx conference, and the participants in the order they came. Immutable; it changes only
/// through <see cref="RoomRules.Decide"/>, which returns the next version.
/// </summary>
public sealed record Room
{
    /// <summary>
    /// The most departed legs remembered, so late events of a leg that has gone cannot bring it back. Late events come
    /// seconds after (a redelivery of the same event is the inbox's to drop), and the room is written whole on every
    /// turn, so the memory is kept to the last 256 legs rather than grown with the room's history.
    /// </summary>
    public const int DepartedMemory = 256;

    /// <summary>The room id, which is also the Telnyx conference name.</summary>
    public required string Id { get; init; }

    /// <summary>Made once when the room's state is first stored; with <see cref="Version"/> it makes command ids unique.</summary>
    public required Guid Epoch { get; init; }

    /// <summary>How many decisions this state has been through.</summary>
    public long Version { get; init; }

    public ConferencePhase Phase { get; init; }

    /// <summary>Telnyx's conference id while <see cref="ConferencePhase.Live"/>.</summary>
    public string? ConferenceId { get; init; }

    /// <summary>The leg whose create (or adoption) is on its way while <see cref="ConferencePhase.Creating"/>.</summary>
    public string? Creator { get; init; }

    /// <summary>While adopting a conference still running at Telnyx: its id, and who Telnyx says is in it.</summary>
    public Adoption? Adopting { get; init; }

    public bool Locked { get; init; }

    public ImmutableList<Participant> Participants { get; init; } = [];

    /// <summary>Legs that left, hung up or were hung up, most recent last (at most <see cref="DepartedMemory"/>).</summary>
    public ImmutableList<string> Departed { get; init; } = [];

    /// <summary>The participant this server put on hold (or is putting on hold) because they were alone.</summary>
    public string? AutoHeld { get; init; }

    /// <summary>The automatic hold or unhold on its way, if any: nothing more is decided about hold until it answers.</summary>
    public string? AutoHoldCommand { get; init; }

    /// <summary>Conference events that came before the create answered: decided again once the conference is live.</summary>
    public ImmutableList<RoomInput> Deferred { get; init; } = [];

    /// <summary>Inbound legs answered and not yet reported answered: a repeated call.initiated is not answered again.</summary>
    public ImmutableList<string> Ringing { get; init; } = [];

    /// <summary>Callers told they cannot come in (full, wrong PIN): hung up once the notice has been said.</summary>
    public ImmutableList<string> Farewells { get; init; } = [];

    /// <summary>Why this server is ending the conference, for those it takes with it.</summary>
    public DepartureReason? Ending { get; init; }

    /// <summary>The room's own recording (the conference mix), not the per-leg ones.</summary>
    public RecordingState Recording { get; init; }

    /// <summary>The owner's record_start, stop, pause or resume on its way, so two cannot cross.</summary>
    public string? RecordingCommand { get; init; }

    /// <summary>The most saved recordings kept per room.</summary>
    public const int RecordingMemory = 100;

    /// <summary>The room's saved recordings, oldest first (at most <see cref="RecordingMemory"/>).</summary>
    public ImmutableList<SavedRecording> Recordings { get; init; } = [];

    /// <summary>The participant who has the floor (conference.floor.changed).</summary>
    public string? Speaker { get; init; }

    /// <summary>When the conference ends by its time limit (duration_minutes), counted from its create.</summary>
    public DateTimeOffset? EndsAt { get; init; }

    /// <summary>The time-limit warnings already spoken (minutes before the end: 5, then 1).</summary>
    public ImmutableList<int> WarningsGiven { get; init; } = [];

    public static Room Create(string id, Guid epoch) => new() { Id = id, Epoch = epoch };

    /// <summary>A conference exists and somebody is in it or on the way: the demo's "active" guard.</summary>
    public bool IsActive => Phase == ConferencePhase.Live && Participants.Count > 0;

    public Participant? Find(string callControlId) =>
        Participants.Find(p => string.Equals(p.CallControlId, callControlId, StringComparison.Ordinal));

    public bool HasDeparted(string callControlId) => Departed.Contains(callControlId, StringComparer.Ordinal);
}

public enum RecordingState
{
    Off,
    On,
    Paused,
}

/// <summary>A recording of the room Telnyx has saved (conference.recording.saved). Its links expire: a download asks for a fresh one.</summary>
public sealed record SavedRecording(string Id, DateTimeOffset? StartedAt, DateTimeOffset? EndedAt, string? Format, string? Channels)
{
    public double? DurationSeconds => StartedAt is { } start && EndedAt is { } end && end >= start ? (end - start).TotalSeconds : null;
}

/// <summary>A conference found running at Telnyx under the room's name, being joined instead of created.</summary>
public sealed record Adoption(string ConferenceId, ImmutableList<RosterEntry> Roster);

/// <summary>A participant as Telnyx lists it.</summary>
public sealed record RosterEntry(string CallControlId, bool Joined, bool Muted, bool OnHold);
