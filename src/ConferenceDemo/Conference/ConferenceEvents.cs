using ConferenceDemo.Telnyx;
using ConferenceDemo.Webhooks;
using Microsoft.Extensions.Options;

namespace ConferenceDemo.Conference;

/// <summary>
/// The conference's reaction to Telnyx events: answer inbound callers, greet them, create the conference for the
/// first and join the others, keep a lone participant on hold music, and forget the conference when it empties.
/// Knows nothing of HTTP: it gets parsed events and sends commands through <see cref="TelnyxClient"/>.
/// </summary>
public sealed partial class ConferenceEvents(
    ConferenceRooms rooms,
    TelnyxClient telnyx,
    IOptions<ConferenceOptions> options,
    ILogger<ConferenceEvents> logger)
{
    private const string UnknownNumber = "unknown";

    /// <summary>Telnyx's code for "a conference with this name is already active".</summary>
    private const string NameInUseCode = "90033";

    private ConferenceOptions Settings => options.Value;

    /// <summary>Event types that change something. Every other type is acknowledged and left alone.</summary>
    public static bool Handles(string eventType) => eventType is
        "call.initiated" or "call.answered" or "call.hangup" or "conference.created" or
        "conference.participant.joined" or "conference.participant.left" or "conference.ended";

    /// <summary>
    /// Queues the event behind the room's earlier events and returns a task that completes when it has been applied.
    /// The task never faults: a failure is logged, and the events behind it still run.
    /// </summary>
    public Task AcceptAsync(TelnyxEvent telnyxEvent) =>
        rooms.WithRoomAsync(rooms.DefaultRoom, async room =>
        {
            try
            {
                await ApplyAsync(room, telnyxEvent);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                Log.EventFailed(logger, ex, telnyxEvent.EventType, telnyxEvent.Payload.CallControlId, room.ConferenceId);
            }

            return true;
        });

    internal Task ApplyAsync(ConferenceRoom room, TelnyxEvent e)
    {
        var payload = e.Payload;
        if (string.IsNullOrEmpty(payload.CallControlId) && e.EventType is not "conference.ended")
        {
            Log.NoCallControlId(logger, e.EventType);
            return Task.CompletedTask;
        }

        var ccid = payload.CallControlId!;
        if (e.EventType is "call.initiated" or "call.answered" or "conference.participant.joined" && room.HasDeparted(ccid))
        {
            // Delivered late or out of order: this leg has already gone.
            Log.LateForDeparted(logger, e.EventType, ccid);
            return Task.CompletedTask;
        }

        return e.EventType switch
        {
            "call.initiated" => OnCallInitiatedAsync(ccid, payload),
            "call.answered" => OnCallAnsweredAsync(room, ccid, payload),
            "conference.created" => OnConferenceCreated(room, payload),
            "conference.participant.joined" => OnParticipantJoinedAsync(room, ccid, payload),
            "conference.participant.left" => OnParticipantLeftAsync(room, ccid, payload),
            "call.hangup" => RemoveAsync(room, ccid, "hung up"),
            "conference.ended" => OnConferenceEnded(room, payload),
            _ => Task.CompletedTask,
        };
    }

    private async Task OnCallInitiatedAsync(string ccid, EventPayload payload)
    {
        // Only inbound calls are answered: Telnyx refuses answer on a leg we dialed (the demo's bug B1).
        if (payload.Direction != "incoming")
        {
            Log.NotAnswering(logger, ccid, payload.Direction ?? "none");
            return;
        }

        await TryAsync(() => telnyx.AnswerAsync(ccid, clientState: null, TelnyxClient.NewCommandId()), "answer", ccid);
    }

    private async Task OnCallAnsweredAsync(ConferenceRoom room, string ccid, EventPayload payload)
    {
        if (room.Find(ccid) is not null)
        {
            Log.AlreadyKnown(logger, ccid);
            return;
        }

        var dialed = ClientStates.IsDialed(payload.ClientState);
        var participant = new Participant
        {
            CallControlId = ccid,
            Number = (dialed ? payload.To : payload.From) ?? UnknownNumber,
            Dialed = dialed,
            Status = ParticipantStatus.Answered,
        };
        room.Participants.Add(participant);

        // The greeting and the seat go out together, as in the Node demo: the caller is put in the room without
        // waiting for the speak's round trip. The room is changed only after both have answered.
        var first = room.ConferenceId is null;
        var greeting = first ? Settings.FirstCallerGreeting : Settings.LaterCallerGreeting;
        var speak = SendAsync(() => telnyx.SpeakAsync(ccid, greeting, Settings.Voice, Settings.Language, TelnyxClient.NewCommandId()), "speak", ccid);
        var seat = first ? CreateOrAdoptAsync(room.Name, ccid) : JoinAsync(room.ConferenceId!, ccid);
        TelnyxCommandException? seatFailure = null;
        try
        {
            var (conferenceId, adopted) = await seat;
            if (first)
            {
                room.ConferenceId = conferenceId;
                Log.ConferenceOpened(logger, conferenceId, ccid);
                if (adopted is not null)
                {
                    TakeOverRoster(room, adopted, before: participant);
                }
            }

            participant.Status = ParticipantStatus.Joining;
        }
        catch (TelnyxCommandException ex)
        {
            seatFailure = ex;
        }

        var speakFailure = await speak;
        if (seatFailure is not null)
        {
            // No half-made conference and no caller left waiting in silence: forget them and hang up.
            Log.CouldNotSeat(logger, ccid, seatFailure.Command, seatFailure.Reason);
            room.Remove(ccid);
            if (!seatFailure.CallHasEnded && speakFailure?.CallHasEnded != true)
            {
                await TryAsync(() => telnyx.HangupAsync(ccid, TelnyxClient.NewCommandId()), "hangup", ccid);
            }
        }
        else if (speakFailure?.CallHasEnded == true)
        {
            await RemoveAsync(room, ccid, "gone (Telnyx: call has already ended)");
        }
    }

    private async Task<(string ConferenceId, IReadOnlyList<ConferenceParticipant>? Adopted)> JoinAsync(string conferenceId, string ccid)
    {
        await telnyx.JoinConferenceAsync(conferenceId, ccid, ClientStates.JoinedByServer, TelnyxClient.NewCommandId());
        return (conferenceId, null);
    }

    /// <summary>
    /// Creates the conference. When Telnyx says one of that name is already running (this server restarted and forgot
    /// it), joins the caller to that one instead of hanging up, and returns who Telnyx says is in it.
    /// </summary>
    private async Task<(string ConferenceId, IReadOnlyList<ConferenceParticipant>? Adopted)> CreateOrAdoptAsync(string name, string ccid)
    {
        try
        {
            return (await telnyx.CreateConferenceAsync(ccid, name, ClientStates.ConferenceCreated, TelnyxClient.NewCommandId()), null);
        }
        catch (TelnyxCommandException ex) when (ex.Errors.Any(e => e.Code == NameInUseCode))
        {
            var existing = await telnyx.FindActiveConferenceAsync(name);
            if (existing is null)
            {
                throw;
            }

            Log.Adopting(logger, existing, name);
            IReadOnlyList<ConferenceParticipant> roster = [];
            try
            {
                roster = await telnyx.ListParticipantsAsync(existing);
            }
            catch (TelnyxCommandException rosterFailure)
            {
                Log.CommandFailed(logger, "list_participants", ccid, rosterFailure.Reason);
            }

            await telnyx.JoinConferenceAsync(existing, ccid, ClientStates.JoinedByServer, TelnyxClient.NewCommandId());
            return (existing, roster);
        }
    }

    /// <summary>
    /// Lists the participants Telnyx already had in an adopted conference, ahead of the caller who found it. Their
    /// numbers are not known. One lone participant on hold was, in all likelihood, held by this server before it
    /// restarted, so it is released when the caller arrives.
    /// </summary>
    private void TakeOverRoster(ConferenceRoom room, IReadOnlyList<ConferenceParticipant> roster, Participant before)
    {
        var present = roster
            .Where(p => p.Status == "joined" && !string.IsNullOrEmpty(p.CallControlId) && p.CallControlId != before.CallControlId
                && room.Find(p.CallControlId) is null && !room.HasDeparted(p.CallControlId))
            .Select(p => new Participant
            {
                CallControlId = p.CallControlId!,
                Number = UnknownNumber,
                Status = ParticipantStatus.InRoom,
                Muted = p.Muted,
                OnHold = p.OnHold,
            })
            .ToList();
        room.Participants.InsertRange(room.Participants.IndexOf(before), present);
        if (present is [{ OnHold: true } alone])
        {
            room.AutoHeldCallControlId = alone.CallControlId;
        }

        Log.RosterTakenOver(logger, room.ConferenceId!, present.Count);
    }

    /// <summary>Sends a command whose failure is logged, not thrown; returns the failure, if any.</summary>
    private async Task<TelnyxCommandException?> SendAsync(Func<Task> command, string name, string ccid)
    {
        try
        {
            await command();
            return null;
        }
        catch (TelnyxCommandException ex)
        {
            Log.CommandFailed(logger, name, ccid, ex.Reason);
            return ex;
        }
    }

    private Task OnConferenceCreated(ConferenceRoom room, EventPayload payload)
    {
        Log.ConferenceCreated(logger, payload.ConferenceId, payload.CallControlId, payload.ConferenceId == room.ConferenceId);
        return Task.CompletedTask;
    }

    private async Task OnParticipantJoinedAsync(ConferenceRoom room, string ccid, EventPayload payload)
    {
        if (!IsOurConference(room, payload, "conference.participant.joined"))
        {
            return;
        }

        var participant = room.Find(ccid);
        if (participant is null)
        {
            // Somebody joined by other means (another app, the portal): they are in the room all the same.
            participant = new Participant { CallControlId = ccid, Number = UnknownNumber };
            room.Participants.Add(participant);
        }
        else if (participant.Status == ParticipantStatus.InRoom)
        {
            Log.AlreadyKnown(logger, ccid);
            return;
        }

        participant.Status = ParticipantStatus.InRoom;
        await BalanceHoldAsync(room);
    }

    private Task OnParticipantLeftAsync(ConferenceRoom room, string ccid, EventPayload payload) =>
        IsOurConference(room, payload, "conference.participant.left") ? RemoveAsync(room, ccid, "left") : Task.CompletedTask;

    private Task OnConferenceEnded(ConferenceRoom room, EventPayload payload)
    {
        if (IsOurConference(room, payload, "conference.ended"))
        {
            Log.ConferenceForgotten(logger, room.ConferenceId!, "ended");
            room.Reset();
        }

        return Task.CompletedTask;
    }

    /// <summary>Takes a participant out (left, hung up, or gone per Telnyx) and rebalances hold. Idempotent.</summary>
    private async Task RemoveAsync(ConferenceRoom room, string ccid, string why)
    {
        var conferenceId = room.ConferenceId;
        if (room.Remove(ccid) is null)
        {
            return;
        }

        Log.ParticipantRemoved(logger, ccid, why, conferenceId);
        if (room.ConferenceId is null && conferenceId is not null)
        {
            Log.ConferenceForgotten(logger, conferenceId, "empty");
        }

        await BalanceHoldAsync(room);
    }

    /// <summary>
    /// Decided on who is in the room, not on a counter: one person alone waits on hold music; when a second is in,
    /// the one we held is released. A participant someone else put on hold stays as they are.
    /// </summary>
    private async Task BalanceHoldAsync(ConferenceRoom room)
    {
        if (room.ConferenceId is not { } conferenceId)
        {
            return;
        }

        var inRoom = room.Participants.Where(p => p.Status == ParticipantStatus.InRoom).ToList();
        if (inRoom.Count == 1)
        {
            var alone = inRoom[0];
            if (!alone.OnHold
                && await TryAsync(() => telnyx.HoldAsync(conferenceId, [alone.CallControlId], Settings.WaitingUrl), "hold", alone.CallControlId, room))
            {
                alone.OnHold = true;
                room.AutoHeldCallControlId = alone.CallControlId;
            }
        }
        else if (inRoom.Count >= 2 && room.AutoHeldCallControlId is { } heldId && room.Find(heldId) is { Status: ParticipantStatus.InRoom } held)
        {
            if (await TryAsync(() => telnyx.UnholdAsync(conferenceId, [heldId]), "unhold", heldId, room))
            {
                held.OnHold = false;
                room.AutoHeldCallControlId = null;
            }
        }
    }

    private bool IsOurConference(ConferenceRoom room, EventPayload payload, string eventType)
    {
        if (room.ConferenceId is not null && string.Equals(payload.ConferenceId, room.ConferenceId, StringComparison.Ordinal))
        {
            return true;
        }

        Log.OtherConference(logger, eventType, payload.ConferenceId, room.ConferenceId);
        return false;
    }

    /// <summary>
    /// Sends a command whose failure must not stop the event: logs it, and when Telnyx says the call has ended,
    /// drops that caller from the room. False when the command did not succeed.
    /// </summary>
    private async Task<bool> TryAsync(Func<Task> command, string name, string ccid, ConferenceRoom? room = null)
    {
        try
        {
            await command();
            return true;
        }
        catch (TelnyxCommandException ex)
        {
            Log.CommandFailed(logger, name, ccid, ex.Reason);
            if (ex.CallHasEnded && room is not null)
            {
                await RemoveAsync(room, ccid, "gone (Telnyx: call has already ended)");
            }

            return false;
        }
    }

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Information, "Not answering {CallControlId}: direction {Direction}, not incoming")]
        public static partial void NotAnswering(ILogger logger, string callControlId, string direction);

        [LoggerMessage(2, LogLevel.Information, "Conference {ConferenceId} opened by {CallControlId}")]
        public static partial void ConferenceOpened(ILogger logger, string conferenceId, string callControlId);

        [LoggerMessage(3, LogLevel.Warning, "Could not put {CallControlId} in the conference ({Command}: {Reason}); hanging up")]
        public static partial void CouldNotSeat(ILogger logger, string callControlId, string command, string reason);

        [LoggerMessage(4, LogLevel.Information, "Conference created: conference_id {ConferenceId}, creator {CallControlId}, ours {Ours}")]
        public static partial void ConferenceCreated(ILogger logger, string? conferenceId, string? callControlId, bool ours);

        [LoggerMessage(5, LogLevel.Information, "{EventType} for conference {EventConferenceId} ignored: ours is {ConferenceId}")]
        public static partial void OtherConference(ILogger logger, string eventType, string? eventConferenceId, string? conferenceId);

        [LoggerMessage(6, LogLevel.Information, "Participant {CallControlId} {Why}; conference {ConferenceId}")]
        public static partial void ParticipantRemoved(ILogger logger, string callControlId, string why, string? conferenceId);

        [LoggerMessage(7, LogLevel.Information, "Conference {ConferenceId} forgotten ({Why}); the next caller opens a new one")]
        public static partial void ConferenceForgotten(ILogger logger, string conferenceId, string why);

        [LoggerMessage(8, LogLevel.Debug, "{CallControlId} is already known; repeated event ignored")]
        public static partial void AlreadyKnown(ILogger logger, string callControlId);

        [LoggerMessage(9, LogLevel.Warning, "{Command} for {CallControlId} failed: {Reason}")]
        public static partial void CommandFailed(ILogger logger, string command, string callControlId, string reason);

        [LoggerMessage(10, LogLevel.Warning, "{EventType} without call_control_id ignored")]
        public static partial void NoCallControlId(ILogger logger, string eventType);

        [LoggerMessage(12, LogLevel.Information, "{EventType} for {CallControlId} ignored: that leg has already gone")]
        public static partial void LateForDeparted(ILogger logger, string eventType, string callControlId);

        [LoggerMessage(13, LogLevel.Warning, "A conference named {Name} is already running at Telnyx ({ConferenceId}): joining it instead of creating one")]
        public static partial void Adopting(ILogger logger, string conferenceId, string name);

        [LoggerMessage(14, LogLevel.Information, "Conference {ConferenceId} taken over with {Count} participant(s) already in it")]
        public static partial void RosterTakenOver(ILogger logger, string conferenceId, int count);

        [LoggerMessage(11, LogLevel.Error, "Applying {EventType} (call_control_id {CallControlId}, conference_id {ConferenceId}) failed")]
        public static partial void EventFailed(ILogger logger, Exception exception, string eventType, string? callControlId, string? conferenceId);
    }
}
