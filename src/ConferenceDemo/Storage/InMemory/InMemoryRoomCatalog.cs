using ConferenceDemo.Rooms;
using ConferenceDemo.Rooms.Processing;

namespace ConferenceDemo.Storage.InMemory;

/// <summary>The API's rooms in process memory: gone at restart, like the in-memory room state.</summary>
public sealed class InMemoryRoomCatalog : IRoomCatalog
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, CatalogRoom> _rooms = new(StringComparer.Ordinal);

    public ValueTask<IReadOnlyList<CatalogRoom>> ListAsync(CancellationToken ct = default)
    {
        lock (_gate)
        {
            return ValueTask.FromResult<IReadOnlyList<CatalogRoom>>([.. _rooms.Values.OrderBy(r => r.Id, StringComparer.Ordinal)]);
        }
    }

    public ValueTask<CatalogRoom?> GetAsync(string roomId, CancellationToken ct = default)
    {
        lock (_gate)
        {
            return ValueTask.FromResult(_rooms.GetValueOrDefault(roomId));
        }
    }

    public ValueTask<string?> RoomOfNumberAsync(string number, CancellationToken ct = default)
    {
        lock (_gate)
        {
            return ValueTask.FromResult(_rooms.Values.FirstOrDefault(r => r.DialIn.Contains(number, StringComparer.Ordinal))?.Id);
        }
    }

    public ValueTask<string?> SaveAsync(CatalogRoom room, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(room);
        lock (_gate)
        {
            var claimant = _rooms.Values.FirstOrDefault(r => r.Id != room.Id && r.DialIn.Intersect(room.DialIn, StringComparer.Ordinal).Any());
            if (claimant is not null)
            {
                return ValueTask.FromResult<string?>(claimant.Id);
            }

            _rooms[room.Id] = room;
            return ValueTask.FromResult<string?>(null);
        }
    }

    public ValueTask<bool> DeleteAsync(string roomId, CancellationToken ct = default)
    {
        lock (_gate)
        {
            return ValueTask.FromResult(_rooms.Remove(roomId));
        }
    }
}
