namespace ConferenceDemo.Conference;

/// <summary>
/// Where rooms live. Callers load a room, change it and save it, always inside the room's turn of
/// <see cref="ConferenceSequencer"/>, so a store never sees two writers of one room at once. Kept narrow so a
/// database can stand behind it.
/// </summary>
public interface IConferenceStore
{
    /// <summary>The room's state (a copy the caller may change), or an empty room when it has none yet.</summary>
    ValueTask<ConferenceRoom> LoadAsync(string roomName, CancellationToken ct = default);

    ValueTask SaveAsync(ConferenceRoom room, CancellationToken ct = default);
}

/// <summary>The default store: process memory. A restart forgets every room.</summary>
public sealed class InMemoryConferenceStore : IConferenceStore
{
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, ConferenceRoom> _rooms = new(StringComparer.Ordinal);

    public ValueTask<ConferenceRoom> LoadAsync(string roomName, CancellationToken ct = default) =>
        ValueTask.FromResult(_rooms.TryGetValue(roomName, out var room) ? room.Clone() : new ConferenceRoom { Name = roomName });

    public ValueTask SaveAsync(ConferenceRoom room, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(room);
        _rooms[room.Name] = room.Clone();
        return ValueTask.CompletedTask;
    }
}
