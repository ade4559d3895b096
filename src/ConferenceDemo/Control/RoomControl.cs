using ConferenceDemo.Rooms;
using ConferenceDemo.Rooms.Processing;

namespace ConferenceDemo.Control;

/// <summary>What the control routes need of the rooms: read one, list them, and run an owner's action in one.</summary>
public sealed class RoomControl(RoomProcessor processor, IRoomStore store, RoomDirectory directory)
{
    public string DefaultRoom => directory.DefaultRoomId;

    public IReadOnlyList<RoomSettings> Rooms => directory.All;

    public RoomSettings? Settings(string roomId) => directory.For(roomId);

    /// <summary>The room's state; a room where nothing has happened yet is empty.</summary>
    public async ValueTask<Room> GetAsync(string roomId, CancellationToken ct = default) =>
        await store.GetAsync(roomId, ct) ?? Room.Create(roomId, Guid.Empty);

    public Task<ActionOutcome> RunAsync(string roomId, OwnerAction action, CancellationToken ct = default) =>
        processor.RunAsync(roomId, action, ct);
}
