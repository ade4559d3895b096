using System.Collections.Concurrent;
using ConferenceDemo.Rooms;
using ConferenceDemo.Rooms.Processing;

namespace ConferenceDemo.Storage.InMemory;

/// <summary>
/// Rooms in process memory: a lock per room, and the rooms themselves (immutable, so a reader never sees half a
/// change and nothing is copied). A restart forgets every room. Keeps the conference and leg indexes in step.
/// </summary>
public sealed class InMemoryRoomStore : IRoomStore
{
    private readonly ConcurrentDictionary<string, Room> _rooms = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, SemaphoreSlim> _locks = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, string> _conferences = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, string> _legs = new(StringComparer.Ordinal);

    public ValueTask<Room?> GetAsync(string roomId, CancellationToken ct = default) =>
        ValueTask.FromResult(_rooms.GetValueOrDefault(roomId));

    public ValueTask<IReadOnlyList<Room>> ListAsync(CancellationToken ct = default) =>
        ValueTask.FromResult<IReadOnlyList<Room>>([.. _rooms.Values.OrderBy(r => r.Id, StringComparer.Ordinal)]);

    public async ValueTask<Decision> DecideAsync(string roomId, Func<Room, Decision> decide, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(decide);
        var gate = _locks.GetOrAdd(roomId, _ => new SemaphoreSlim(1, 1));
        await gate.WaitAsync(ct);
        try
        {
            var room = _rooms.GetValueOrDefault(roomId) ?? Room.Create(roomId, Guid.NewGuid());
            var decision = decide(room);
            if (!ReferenceEquals(decision.Room, room))
            {
                Index(room, decision.Room);
                _rooms[roomId] = decision.Room;
            }

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

    private void Index(Room before, Room after)
    {
        if (before.ConferenceId != after.ConferenceId)
        {
            if (before.ConferenceId is { } old)
            {
                _conferences.TryRemove(old, out _);
            }

            if (after.ConferenceId is { } live)
            {
                _conferences[live] = after.Id;
            }
        }

        if (ReferenceEquals(before.Participants, after.Participants))
        {
            return;
        }

        foreach (var gone in before.Participants.Where(p => after.Find(p.CallControlId) is null))
        {
            _legs.TryRemove(gone.CallControlId, out _);
        }

        foreach (var participant in after.Participants)
        {
            _legs[participant.CallControlId] = after.Id;
        }
    }
}
