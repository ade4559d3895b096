namespace ConferenceDemo.Conference;

/// <summary>Where a caller is on the way into the room.</summary>
public enum ParticipantStatus
{
    /// <summary>Answered; the create or join command is on its way.</summary>
    Answered,

    /// <summary>Telnyx accepted the create or join; conference.participant.joined has not come yet.</summary>
    Joining,

    /// <summary>conference.participant.joined came: the caller is in the room.</summary>
    InRoom,
}

/// <summary>One call leg of the room, keyed by its call_control_id.</summary>
public sealed class Participant
{
    public required string CallControlId { get; init; }

    /// <summary>The caller's number ("from") for inbound calls, the dialed number ("to") for legs we dialed.</summary>
    public required string Number { get; init; }

    /// <summary>True for legs this server dialed (pull).</summary>
    public bool Dialed { get; init; }

    public ParticipantStatus Status { get; set; }

    public bool OnHold { get; set; }

    public bool Muted { get; set; }

    public bool Recording { get; set; }

    public Participant Clone() => (Participant)MemberwiseClone();
}

/// <summary>
/// The state of one conference room: the Telnyx conference id once created, and its participants in the order they
/// came. Only the conference logic changes it, one event at a time (see <see cref="ConferenceSequencer"/>).
/// </summary>
public sealed class ConferenceRoom
{
    public required string Name { get; init; }

    /// <summary>Telnyx's conference id; null while there is no conference.</summary>
    public string? ConferenceId { get; set; }

    /// <summary>The participant this server put on hold because they were alone; null when nobody is.</summary>
    public string? AutoHeldCallControlId { get; set; }

    public List<Participant> Participants { get; init; } = [];

    /// <summary>
    /// Legs that left, hung up or were hung up, most recent last (at most <see cref="DepartedMemory"/>): a late
    /// call.answered or conference.participant.joined for one of them must not bring it back.
    /// </summary>
    public List<string> Departed { get; init; } = [];

    public const int DepartedMemory = 1024;

    /// <summary>A conference exists and somebody is in it or on the way: the demo's "active" guard.</summary>
    public bool IsActive => ConferenceId is not null && Participants.Count > 0;

    public Participant? Find(string callControlId) =>
        Participants.Find(p => string.Equals(p.CallControlId, callControlId, StringComparison.Ordinal));

    public bool HasDeparted(string callControlId) => Departed.Contains(callControlId, StringComparer.Ordinal);

    /// <summary>
    /// Takes a leg out for good: out of the list, out of the auto-hold, into <see cref="Departed"/>. When nobody is
    /// left, the conference is forgotten. Returns the participant it removed, if it was listed.
    /// </summary>
    public Participant? Remove(string callControlId)
    {
        if (!HasDeparted(callControlId))
        {
            Departed.Add(callControlId);
            if (Departed.Count > DepartedMemory)
            {
                Departed.RemoveAt(0);
            }
        }

        var participant = Find(callControlId);
        if (participant is null)
        {
            return null;
        }

        Participants.Remove(participant);
        if (AutoHeldCallControlId == callControlId)
        {
            AutoHeldCallControlId = null;
        }

        if (Participants.Count == 0)
        {
            Reset();
        }

        return participant;
    }

    /// <summary>Forgets the conference: the next caller creates a new one.</summary>
    public void Reset()
    {
        ConferenceId = null;
        AutoHeldCallControlId = null;
        Participants.Clear();
    }

    public ConferenceRoom Clone() => new()
    {
        Name = Name,
        ConferenceId = ConferenceId,
        AutoHeldCallControlId = AutoHeldCallControlId,
        Participants = Participants.ConvertAll(p => p.Clone()),
        Departed = [.. Departed],
    };
}
