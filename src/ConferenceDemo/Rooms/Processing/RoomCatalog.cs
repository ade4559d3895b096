namespace ConferenceDemo.Rooms.Processing;

/// <summary>Rooms created through the API (PUT /api/rooms/{id}); they last as long as the store.</summary>
public interface IRoomCatalog
{
    ValueTask<IReadOnlyList<RoomSettings>> ListAsync(CancellationToken ct = default);

    ValueTask<RoomSettings?> GetAsync(string roomId, CancellationToken ct = default);

    ValueTask SaveAsync(RoomSettings room, CancellationToken ct = default);

    ValueTask<bool> DeleteAsync(string roomId, CancellationToken ct = default);
}
