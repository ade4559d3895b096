using System.Collections.Concurrent;
using ConferenceDemo.Rooms;
using ConferenceDemo.Rooms.Processing;

namespace ConferenceDemo.Storage.InMemory;

/// <summary>The API's rooms in process memory: gone at restart, like the in-memory room state.</summary>
public sealed class InMemoryRoomCatalog : IRoomCatalog
{
    private readonly ConcurrentDictionary<string, RoomSettings> _rooms = new(StringComparer.Ordinal);

    public ValueTask<IReadOnlyList<RoomSettings>> ListAsync(CancellationToken ct = default) =>
        ValueTask.FromResult<IReadOnlyList<RoomSettings>>([.. _rooms.Values.OrderBy(r => r.Id, StringComparer.Ordinal)]);

    public ValueTask<RoomSettings?> GetAsync(string roomId, CancellationToken ct = default) =>
        ValueTask.FromResult(_rooms.GetValueOrDefault(roomId));

    public ValueTask SaveAsync(RoomSettings room, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(room);
        _rooms[room.Id] = room;
        return ValueTask.CompletedTask;
    }

    public ValueTask<bool> DeleteAsync(string roomId, CancellationToken ct = default) => ValueTask.FromResult(_rooms.TryRemove(roomId, out _));
}
