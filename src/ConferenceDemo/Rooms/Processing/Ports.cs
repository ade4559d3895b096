namespace ConferenceDemo.Rooms.Processing;

/// <summary>
/// Where rooms live. A turn locks one room, lets a pure decision run on it, and commits what it returned (the new
/// state, and with a durable store its commands and events) together; the lock is held for the decision only.
/// </summary>
public interface IRoomStore
{
    /// <summary>The room's state, or null when nothing has happened in it yet.</summary>
    ValueTask<Room?> GetAsync(string roomId, CancellationToken ct = default);

    /// <summary>Every room that has a state.</summary>
    ValueTask<IReadOnlyList<Room>> ListAsync(CancellationToken ct = default);

    /// <summary>One turn of <paramref name="roomId"/>: lock, load (or start) the room, decide, commit, unlock.</summary>
    ValueTask<Decision> DecideAsync(string roomId, Func<Room, Decision> decide, CancellationToken ct = default);

    /// <summary>The room whose live conference has this Telnyx id.</summary>
    ValueTask<string?> FindRoomOfConferenceAsync(string conferenceId, CancellationToken ct = default);

    /// <summary>The room that has this leg as a participant.</summary>
    ValueTask<string?> FindRoomOfLegAsync(string callControlId, CancellationToken ct = default);
}

/// <summary>Sends one command to Telnyx (with its retries) and says what came of it. Never throws for a failed command.</summary>
public interface ICallControl
{
    Task<CommandResult> SendAsync(RoomCommand command, CancellationToken ct = default);
}

/// <summary>Committed room events, numbered in the order they were published, for anyone watching.</summary>
public interface IRoomFeed
{
    void Publish(IReadOnlyList<RoomEvent> events);

    /// <summary>
    /// Events of all rooms (or one) until the subscription is disposed. With <paramref name="after"/>, first the
    /// events published after that sequence number, when the feed still holds all of them; otherwise
    /// <see cref="RoomFeedSubscription.Resumed"/> is false and the reader needs a fresh snapshot.
    /// </summary>
    RoomFeedSubscription Subscribe(string? roomId = null, long? after = null);

    /// <summary>The sequence number of the newest event published so far (0 before the first).</summary>
    long LastSequence { get; }
}

/// <summary>One published event and its place in the feed.</summary>
public sealed record RoomFeedItem(long Sequence, RoomEvent Event);
