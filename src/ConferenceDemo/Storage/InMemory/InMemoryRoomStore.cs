using System.Collections.Concurrent;
using ConferenceDemo.Rooms;
using ConferenceDemo.Rooms.Processing;

namespace ConferenceDemo.Storage.InMemory;

/// <summary>
/// Rooms in process memory: a lock per room, and the rooms themselves (immutable, so a reader never sees half a
/// change and nothing is copied). Keeps the conference and leg indexes in step, and an inbox and outbox with the same
/// marks a durable store keeps. A restart forgets all of it: for tests, and for STORAGE_PROVIDER=memory.
/// </summary>
public sealed class InMemoryRoomStore(TimeProvider? clock = null) : IRoomStore, IRoomJournal
{
    private readonly TimeProvider _clock = clock ?? TimeProvider.System;
    private readonly ConcurrentDictionary<string, Room> _rooms = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, SemaphoreSlim> _locks = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, string> _conferences = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, string> _legs = new(StringComparer.Ordinal);

    private readonly Lock _journal = new();
    private readonly Dictionary<string, InboxRow> _inbox = new(StringComparer.Ordinal);
    private readonly Dictionary<string, OutboxRow> _outbox = new(StringComparer.Ordinal);
    private long _arrivals;

    private sealed record InboxRow(InboxEntry Entry, long Arrival)
    {
        public bool Applied { get; set; }
    }

    private sealed record OutboxRow(OutboxEntry Entry, long Order, DateTimeOffset Created)
    {
        public DateTimeOffset? Answered { get; set; }
    }

    public ValueTask<Room?> GetAsync(string roomId, CancellationToken ct = default) =>
        ValueTask.FromResult(_rooms.GetValueOrDefault(roomId));

    public ValueTask<IReadOnlyList<Room>> ListAsync(CancellationToken ct = default) =>
        ValueTask.FromResult<IReadOnlyList<Room>>([.. _rooms.Values.OrderBy(r => r.Id, StringComparer.Ordinal)]);

    public async ValueTask<Decision?> DecideAsync(string roomId, Func<Room, Decision> decide, TurnMarks marks, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(decide);
        var gate = _locks.GetOrAdd(roomId, _ => new SemaphoreSlim(1, 1));
        await gate.WaitAsync(ct);
        try
        {
            if (AlreadyDone(marks))
            {
                return null;
            }

            var room = _rooms.GetValueOrDefault(roomId) ?? Room.Create(roomId, Guid.NewGuid());
            var decision = decide(room);
            if (!ReferenceEquals(decision.Room, room))
            {
                Index(room, decision.Room);
                _rooms[roomId] = decision.Room;
            }

            Commit(roomId, decision, marks);
            return decision;
        }
        finally
        {
            gate.Release();
        }
    }

    public ValueTask<string?> FindRoomOfConferenceAsync(string conferenceId, CancellationToken ct = default) =>
        ValueTask.FromResult(_conferences.GetValueOrDefault(conferenceId));

    public ValueTask<string?> FindRoomOfLegAsync(string callControlId, CancellationToken ct = default) =>
        ValueTask.FromResult(_legs.GetValueOrDefault(callControlId));

    public ValueTask<bool> TryAddAsync(InboxEntry entry, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(entry);
        lock (_journal)
        {
            return ValueTask.FromResult(_inbox.TryAdd(entry.EventId, new InboxRow(entry, ++_arrivals)));
        }
    }

    public ValueTask<IReadOnlyList<InboxEntry>> UnappliedAsync(CancellationToken ct = default)
    {
        lock (_journal)
        {
            return ValueTask.FromResult<IReadOnlyList<InboxEntry>>(
                [.. _inbox.Values.Where(r => !r.Applied).OrderBy(r => r.Arrival).Select(r => r.Entry)]);
        }
    }

    public ValueTask<IReadOnlyList<OutboxEntry>> UnansweredAsync(CancellationToken ct = default)
    {
        lock (_journal)
        {
            return ValueTask.FromResult<IReadOnlyList<OutboxEntry>>(
                [.. _outbox.Values.Where(r => r.Answered is null).OrderBy(r => r.Order).Select(r => r.Entry)]);
        }
    }

    public ValueTask<(int Events, int Commands)> RemoveOldAsync(DateTimeOffset inboxBefore, DateTimeOffset outboxBefore, CancellationToken ct = default)
    {
        lock (_journal)
        {
            var events = _inbox.Values.Where(r => r.Applied && r.Entry.ReceivedAt < inboxBefore).Select(r => r.Entry.EventId).ToList();
            var commands = _outbox.Values.Where(r => r.Answered < outboxBefore).Select(r => r.Entry.Command.Id).ToList();
            events.ForEach(id => _inbox.Remove(id));
            commands.ForEach(id => _outbox.Remove(id));
            return ValueTask.FromResult((events.Count, commands.Count));
        }
    }

    private bool AlreadyDone(TurnMarks marks)
    {
        lock (_journal)
        {
            return (marks.AppliedEvent is { } e && _inbox.TryGetValue(e, out var row) && row.Applied)
                || (marks.AnsweredCommand is { } c && (!_outbox.TryGetValue(c, out var command) || command.Answered is not null));
        }
    }

    private void Commit(string roomId, Decision decision, TurnMarks marks)
    {
        var now = _clock.GetUtcNow();
        lock (_journal)
        {
            foreach (var command in decision.Commands)
            {
                _outbox[command.Id] = new OutboxRow(new OutboxEntry(roomId, command), ++_arrivals, now);
            }

            if (marks.AppliedEvent is { } e && _inbox.TryGetValue(e, out var row))
            {
                row.Applied = true;
            }

            if (marks.AnsweredCommand is { } c && _outbox.TryGetValue(c, out var answered))
            {
                answered.Answered = now;
            }
        }
    }

    private void Index(Room before, Room after)
    {
        foreach (var change in RoomIndexChanges.Between(before, after))
        {
            var map = change.Kind == RoomIndexKind.Conference ? _conferences : _legs;
            if (change.Added)
            {
                map[change.Key] = after.Id;
            }
            else
            {
                map.TryRemove(change.Key, out _);
            }
        }
    }
}
