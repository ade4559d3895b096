namespace ConferenceDemo.Rooms.Processing;

/// <summary>
/// Rooms created through the API (PUT /api/rooms/{id}); they last as long as the store: in the SQLite or PostgreSQL
/// database of Storage:Provider, or in memory until the process stops. Every instance on one database reads the same
/// rooms. A catalog keeps what the PUT said (<see cref="CatalogRoom"/>), not the settings made from it, so a room
/// follows the server's defaults as they are now. The options hold the PINs: a catalog keeps them exactly, and never
/// logs them.
/// </summary>
public interface IRoomCatalog
{
    /// <summary>Every room of the catalog, by id.</summary>
    ValueTask<IReadOnlyList<CatalogRoom>> ListAsync(CancellationToken ct = default);

    ValueTask<CatalogRoom?> GetAsync(string roomId, CancellationToken ct = default);

    /// <summary>The id of the room whose dial-in numbers include <paramref name="number"/>, or null: one lookup by the number.</summary>
    ValueTask<string?> RoomOfNumberAsync(string number, CancellationToken ct = default);

    /// <summary>
    /// Creates or replaces the room. A dial-in number reaches one room only: when another room of the catalog already
    /// claims one of <paramref name="room"/>'s numbers, nothing is saved and that room's id is returned; null when
    /// saved. The check and the write are one step, so two instances saving at once cannot both claim a number.
    /// </summary>
    ValueTask<string?> SaveAsync(CatalogRoom room, CancellationToken ct = default);

    /// <summary>False when there was no such room.</summary>
    ValueTask<bool> DeleteAsync(string roomId, CancellationToken ct = default);
}

/// <summary>A room of the catalog: its id and its own options, as a PUT gave them (the rest comes from the defaults when it is read).</summary>
public sealed record CatalogRoom(string Id, RoomOptions Options)
{
    public IReadOnlyList<string> DialIn => Options.DialInNumbers;
}
