using ConferenceDemo.Rooms;

namespace ConferenceDemo.Storage;

public enum RoomIndexKind
{
    /// <summary>Telnyx conference id → room.</summary>
    Conference,

    /// <summary>call_control_id of a participant → room.</summary>
    Leg,
}

/// <summary>One entry of a room index to add or remove.</summary>
public readonly record struct RoomIndexChange(RoomIndexKind Kind, string Key, bool Added);

/// <summary>What a decision changed in the lookups that route events to rooms: removals first, then additions.</summary>
public static class RoomIndexChanges
{
    public static IEnumerable<RoomIndexChange> Between(Room before, Room after)
    {
        ArgumentNullException.ThrowIfNull(before);
        ArgumentNullException.ThrowIfNull(after);
        if (before.ConferenceId != after.ConferenceId)
        {
            if (before.ConferenceId is { } old)
            {
                yield return new RoomIndexChange(RoomIndexKind.Conference, old, Added: false);
            }

            if (after.ConferenceId is { } live)
            {
                yield return new RoomIndexChange(RoomIndexKind.Conference, live, Added: true);
            }
        }

        if (ReferenceEquals(before.Participants, after.Participants))
        {
            yield break;
        }

        foreach (var gone in before.Participants.Where(p => after.Find(p.CallControlId) is null))
        {
            yield return new RoomIndexChange(RoomIndexKind.Leg, gone.CallControlId, Added: false);
        }

        foreach (var came in after.Participants.Where(p => before.Find(p.CallControlId) is null))
        {
            yield return new RoomIndexChange(RoomIndexKind.Leg, came.CallControlId, Added: true);
        }
    }
}
