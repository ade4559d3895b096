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

    /// <summary>
    /// One turn of <paramref name="roomId"/>: lock, load (or start) the room, decide, commit (the state, the outbox rows
    /// of the decision's commands, its events and the <paramref name="marks"/>), unlock. Null when a mark says the input
    /// was decided already (by an earlier run or another instance): then nothing is decided or written.
    /// </summary>
    ValueTask<Decision?> DecideAsync(string roomId, Func<Room, Decision> decide, TurnMarks marks, CancellationToken ct = default);

    /// <summary>The room whose live conference has this Telnyx id.</summary>
    ValueTask<string?> FindRoomOfConferenceAsync(string conferenceId, CancellationToken ct = default);

    /// <summary>The room that has this leg as a participant.</summary>
    ValueTask<string?> FindRoomOfLegAsync(string callControlId, CancellationToken ct = default);
}

/// <summary>What a turn's commit also records: the inbox event it applies, or the outbox command whose answer it decides.</summary>
public readonly record struct TurnMarks(string? AppliedEvent = null, string? AnsweredCommand = null);

/// <summary>A verified webhook event as the inbox holds it: its data.id, the room it was routed to, and the input it is.</summary>
public sealed record InboxEntry(string EventId, string Room, RoomInput Input, DateTimeOffset ReceivedAt);

/// <summary>A committed command of a room whose answer has not been decided yet.</summary>
public sealed record OutboxEntry(string Room, RoomCommand Command);

/// <summary>
/// The inbox and outbox beside the rooms: events are written here before their webhook is answered, and what a crash
/// left undone is found here at the next start. Turns mark entries through <see cref="TurnMarks"/>.
/// </summary>
public interface IRoomJournal
{
    /// <summary>Writes the event durably; false when its id is already there (a redelivery, seen by any instance).</summary>
    ValueTask<bool> TryAddAsync(InboxEntry entry, CancellationToken ct = default);

    /// <summary>Events written and not applied, left by a run that is no longer running, in arrival order.</summary>
    ValueTask<IReadOnlyList<InboxEntry>> UnappliedAsync(CancellationToken ct = default);

    /// <summary>Commands committed whose answer was never decided, left by a run that is no longer running, oldest first.</summary>
    ValueTask<IReadOnlyList<OutboxEntry>> UnansweredAsync(CancellationToken ct = default);

    /// <summary>Forgets applied event ids received before <paramref name="inboxBefore"/> and answered commands before <paramref name="outboxBefore"/>.</summary>
    ValueTask<(int Events, int Commands)> RemoveOldAsync(DateTimeOffset inboxBefore, DateTimeOffset outboxBefore, CancellationToken ct = default);
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
