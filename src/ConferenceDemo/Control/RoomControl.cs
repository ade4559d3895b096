using ConferenceDemo.Rooms;
using ConferenceDemo.Rooms.Processing;

namespace ConferenceDemo.Control;

/// <summary>What the control routes need of the rooms: read one, list them, and run an owner's action in one.</summary>
public sealed class RoomControl(RoomProcessor processor, IRoomStore store, RoomDirectory directory, IRoomCatalog catalog)
{
    public string DefaultRoom => directory.DefaultRoomId;

    public RoomDirectory Directory => directory;

    /// <summary>The rooms created through the API.</summary>
    public IRoomCatalog Catalog => catalog;

    public ValueTask<IReadOnlyList<RoomSettings>> RoomsAsync(CancellationToken ct = default) => directory.ListAsync(ct);

    public ValueTask<RoomSettings?> SettingsAsync(string roomId, CancellationToken ct = default) => directory.FindAsync(roomId, ct);

    /// <summary>The room's state; a room where nothing has happened yet is empty.</summary>
    public async ValueTask<Room> GetAsync(string roomId, CancellationToken ct = default) =>
        await store.GetAsync(roomId, ct) ?? Room.Create(roomId, Guid.Empty);

    /// <summary>Runs an owner's action. A failure of the server's own is thrown, so that it answers 500 with its trace id.</summary>
    public async Task<ActionOutcome> RunAsync(string roomId, OwnerAction action, CancellationToken ct = default)
    {
        var outcome = await processor.RunAsync(roomId, action, ct);
        return outcome.Failure?.Kind == FailureKind.Internal ? throw new InvalidOperationException(outcome.Detail) : outcome;
    }
}
