using ConferenceDemo.Webhooks;

namespace ConferenceDemo.Rooms.Processing;

public enum InboxOutcome
{
    /// <summary>Queued for its room.</summary>
    Accepted,

    /// <summary>Already accepted once (Telnyx delivers at least once): acknowledged, not applied again.</summary>
    Duplicate,

    /// <summary>An event type no rule reads, or one without the ids it needs: acknowledged, nothing to do.</summary>
    Ignored,

    /// <summary>Too much work is waiting: the webhook should be refused so Telnyx sends it again later.</summary>
    Busy,

    /// <summary>The store could not write the event: refused, so Telnyx sends it again later.</summary>
    Unavailable,
}

/// <summary>
/// Where a verified, parsed webhook enters the rooms: mapped to a room input, routed to its room (client_state, then
/// conference id, then leg, then the dialed number), written to the store's inbox (which drops a redelivery by its
/// event id), and queued behind the room's earlier inputs within the bound on waiting work. The webhook is answered
/// only after the inbox write has committed, so an event answered 200 survives a crash.
/// </summary>
public sealed partial class RoomInbox(IRoomJournal journal, IRoomStore store, RoomDirectory directory, RoomProcessor processor,
    TimeProvider clock, ILogger<RoomInbox> logger)
{
    public async ValueTask<(InboxOutcome Outcome, string? Room)> AcceptAsync(TelnyxEvent telnyxEvent, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(telnyxEvent);
        if (ToInput(telnyxEvent) is not { } input)
        {
            return (InboxOutcome.Ignored, null);
        }

        // The place is taken before the id is remembered: a refused webhook must not count as seen when it comes again.
        if (!processor.TryReserve())
        {
            return (InboxOutcome.Busy, null);
        }

        string room;
        bool added;
        var id = telnyxEvent.Id is { Length: > 0 } eventId ? eventId : $"no-id-{Guid.NewGuid()}"; // no id: nothing to dedupe by
        try
        {
            room = await RouteAsync(telnyxEvent, ct);

            // Not cancelled with the request: once written, the event must also be queued, or it would wait for a restart.
            added = await journal.TryAddAsync(new InboxEntry(id, room, input, clock.GetUtcNow()), CancellationToken.None);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            processor.Release();
            Log.StoreFailed(logger, ex, telnyxEvent.EventType, telnyxEvent.Id);
            return (InboxOutcome.Unavailable, null);
        }
        catch
        {
            processor.Release();
            throw;
        }

        if (!added)
        {
            processor.Release();
            return (InboxOutcome.Duplicate, null);
        }

        processor.Accept(room, input, id);
        return (InboxOutcome.Accepted, room);
    }

    /// <summary>The room input a Telnyx event is, or null for an event no rule reads (or one missing its call_control_id).</summary>
    public static RoomInput? ToInput(TelnyxEvent e)
    {
        ArgumentNullException.ThrowIfNull(e);
        var p = e.Payload;
        if (e.EventType == "conference.ended")
        {
            return new ConferenceEnded(p.ConferenceId ?? "", p.Reason);
        }

        if (string.IsNullOrEmpty(p.CallControlId))
        {
            return null;
        }

        var leg = p.CallControlId;
        return e.EventType switch
        {
            "call.initiated" => new CallInitiated(leg, p.Direction == "incoming", p.From, p.To),
            "call.answered" => Answered(leg, p),
            "call.hangup" => new CallHungUp(leg, p.HangupCause),
            "conference.created" => new ConferenceCreated(p.ConferenceId ?? "", leg),
            "conference.participant.joined" => new ParticipantJoined(leg, p.ConferenceId ?? ""),
            "conference.participant.left" => new ParticipantLeft(leg, p.ConferenceId ?? ""),
            "call.gather.ended" => new GatherEnded(leg, p.Digits, p.Status),
            "call.speak.ended" => new SpeakEnded(leg),
            _ => null,
        };
    }

    private static CallAnswered Answered(string leg, EventPayload p)
    {
        var tag = ClientStateTag.TryDecode(p.ClientState);
        return new CallAnswered(leg, p.From, p.To, tag?.IsDialed == true) { DialedAs = tag?.DialedAs ?? ParticipantRole.Member };
    }

    private async ValueTask<string> RouteAsync(TelnyxEvent e, CancellationToken ct)
    {
        var p = e.Payload;
        if (ClientStateTag.TryDecode(p.ClientState) is { } tag && await directory.FindAsync(tag.Room, ct) is not null)
        {
            return tag.Room;
        }

        if (p.ConferenceId is { Length: > 0 } conference && await store.FindRoomOfConferenceAsync(conference, ct) is { } byConference)
        {
            return byConference;
        }

        if (p.CallControlId is { Length: > 0 } leg && await store.FindRoomOfLegAsync(leg, ct) is { } byLeg)
        {
            return byLeg;
        }

        return await directory.RoomForNumberAsync(p.Direction == "outgoing" ? null : p.To, ct);
    }

    private static partial class Log
    {
        [LoggerMessage(1420, LogLevel.Error, "Webhook {EventType} {EventId} could not be written to the store: refused with 503, Telnyx will send it again", EventName = "InboxWriteFailed")]
        public static partial void StoreFailed(ILogger logger, Exception exception, string eventType, string? eventId);
    }
}
