using ConferenceDemo.Rooms;
using ConferenceDemo.Rooms.Processing;

namespace ConferenceDemo.Storage;

/// <summary>
/// What one turn writes, worked out the same way for every SQL store from the room the turn read, the decision and
/// the marks: the room's new state (none when the decision left the room as it was), the index rows to add or remove,
/// the outbox rows of its commands, its events, and the inbox or outbox mark. Values are as the tables hold them
/// (JSON text, Unix milliseconds); each store writes them with its own SQL, inside the turn's transaction.
/// </summary>
public sealed record TurnRows(
    string RoomId,
    long At,
    RoomStateRow? State,
    IReadOnlyList<RoomIndexRow> Index,
    IReadOnlyList<OutboxRow> Commands,
    IReadOnlyList<string> Events,
    string? AppliedEvent,
    string? AnsweredCommand)
{
    public static TurnRows Of(Room read, Decision decision, TurnMarks marks, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(read);
        ArgumentNullException.ThrowIfNull(decision);
        var changed = !ReferenceEquals(decision.Room, read);
        return new TurnRows(
            read.Id,
            now.ToUnixTimeMilliseconds(),
            changed ? new RoomStateRow(read.Version, decision.Room.Version, StorageJson.Serialize(decision.Room)) : null,
            changed ? [.. RoomIndexChanges.Between(read, decision.Room).Select(RoomIndexRow.Of)] : [],
            [.. decision.Commands.Select(c => new OutboxRow(c.Id, StorageJson.Serialize(c)))],
            [.. decision.Events.Select(e => StorageJson.Serialize(e))],
            marks.AppliedEvent,
            marks.AnsweredCommand);
    }
}

/// <summary>The room row after the turn; <paramref name="ReadVersion"/> is the version the turn read, for a version check.</summary>
public readonly record struct RoomStateRow(long ReadVersion, long Version, string State);

/// <summary>One row of room_conferences or room_legs (<paramref name="Table"/>) to add, or to remove while it is still the room's.</summary>
public readonly record struct RoomIndexRow(string Table, string Key, bool Added)
{
    public static RoomIndexRow Of(RoomIndexChange change) =>
        new(change.Kind == RoomIndexKind.Conference ? "room_conferences" : "room_legs", change.Key, change.Added);
}

/// <summary>An outbox row: the command's id (its command_id at Telnyx) and the command as JSON.</summary>
public readonly record struct OutboxRow(string CommandId, string Command);
