namespace ConferenceDemo.Rooms.Processing;

/// <summary>
/// Rooms created through the API (PUT /api/rooms/{id}); they last as long as the store: in the SQLite or PostgreSQL
/// database of Storage:Provider, or in memory until the process stops. Every instance on one database reads the same
/// rooms. The settings hold the PINs: a catalog keeps them exactly, and never logs them.
/// </summary>
public interface IRoomCatalog
{
    /// <summary>Every room of the catalog, by id.</summary>
    ValueTask<IReadOnlyList<RoomSettings>> ListAsync(CancellationToken ct = default);

    ValueTask<RoomSettings?> GetAsync(string roomId, CancellationToken ct = default);

    /// <summary>
    /// Creates or replaces the room. A dial-in number reaches one room only: when another room of the catalog already
    /// claims one of <paramref name="room"/>'s numbers, nothing is saved and that room's id is returned; null when
    /// saved. The check and the write are one step, so two instances saving at once cannot both claim a number.
    /// </summary>
    ValueTask<string?> SaveAsync(RoomSettings room, CancellationToken ct = default);

    /// <summary>False when there was no such room.</summary>
    ValueTask<bool> DeleteAsync(string roomId, CancellationToken ct = default);
}
