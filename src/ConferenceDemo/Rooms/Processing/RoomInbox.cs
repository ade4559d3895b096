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
}

/// <summary>
/// Where a verified, parsed webhook enters the rooms: mapped to a room input, routed to its room (client_state, then
/// conference id, then leg, then the dialed number), deduplicated by event id, and queued behind the room's
/// earlier inputs within the bound on waiting work.
/// </summary>
public sealed partial class RoomInbox(IWebhookInbox dedupe, IRoomStore store, RoomDirectory directory, RoomProcessor processor,
    ILogger<RoomInbox> logger)
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

        try
        {
            if (telnyxEvent.Id is { } id && !await IsFirstDeliveryAsync(id, ct))
            {
                processor.Release();
                return (InboxOutcome.Duplicate, null);
            }

            var room = await RouteAsync(telnyxEvent, ct);
            processor.Accept(room, input);
            return (InboxOutcome.Accepted, room);
        }
        catch
        {
            processor.Release();
            throw;
        }
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

    /// <summary>
    /// Whether the inbox has not seen <paramref name="id"/>. When the inbox itself fails, the event counts as new:
    /// applying a redelivery twice is less harm than losing an event, and Telnyx still gets its answer.
    /// </summary>
    private async Task<bool> IsFirstDeliveryAsync(string id, CancellationToken ct)
    {
        try
        {
            return await dedupe.TryAcceptAsync(id, ct);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            Log.InboxFailed(logger, id, ex.GetType().Name, ex.Message);
            return true;
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 1003, EventName = "WebhookInboxFailed", Level = LogLevel.Warning,
            Message = "Webhook dedupe failed for event {WebhookEventId} ({ErrorType}: {Error}); the event is applied as new")]
        public static partial void InboxFailed(ILogger logger, string webhookEventId, string errorType, string error);
    }
}
