using Microsoft.Extensions.Options;

namespace ConferenceDemo.Conference;

/// <summary>
/// The one door to a room's state: load, change and save inside the room's turn of the sequencer. Today there is
/// one room, named by Conference:Name; the key is there so that more rooms need no new door.
/// </summary>
public sealed class ConferenceRooms(ConferenceSequencer sequencer, IConferenceStore store, IOptions<ConferenceOptions> options)
{
    public string DefaultRoom => options.Value.Name;

    public Task<T> WithRoomAsync<T>(string roomName, Func<ConferenceRoom, Task<T>> change, CancellationToken ct = default) =>
        sequencer.RunAsync(roomName, async () =>
        {
            var room = await store.LoadAsync(roomName, ct);
            try
            {
                return await change(room);
            }
            finally
            {
                // Saved even when the change stopped half-way: commands already sent changed Telnyx's side too.
                await store.SaveAsync(room, CancellationToken.None);
            }
        });

    /// <summary>A read-only look that does not wait for the room's turn.</summary>
    public ValueTask<ConferenceRoom> SnapshotAsync(string roomName, CancellationToken ct = default) => store.LoadAsync(roomName, ct);
}
