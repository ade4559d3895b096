using System.Collections.Immutable;

namespace ConferenceDemo.Rooms;

/// <summary>
/// Every rule of a room, as one pure function: room + settings + input + time → the next room, the commands to send,
/// what changed, and an owner's outcome. No I/O and no clock of its own, so it is tested as a table.
/// </summary>
public static class RoomRules
{
    /// <summary>At most this many early conference events wait for the create's answer.</summary>
    public const int DeferredMemory = 64;

    public static Decision Decide(Room room, RoomSettings settings, RoomInput input, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(room);
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(input);
        var turn = new RoomTurn(room, settings, now);
        turn.Apply(input);
        return turn.Finish();
    }

    /// <summary>"+" then 2 to 15 digits, the first not 0 (ITU-T E.164), and nothing else: no space, no line break.</summary>
    public static bool IsE164(string? value)
    {
        if (value is not { Length: >= 3 and <= 16 } || value[0] != '+' || value[1] == '0')
        {
            return false;
        }

        foreach (var c in value.AsSpan(1))
        {
            if (!char.IsAsciiDigit(c))
            {
                return false;
            }
        }

        return true;
    }
}

/// <summary>One decision in progress: the room as it is being changed, and what the change sends and reports.</summary>
internal sealed class RoomTurn(Room before, RoomSettings settings, DateTimeOffset now)
{
    private readonly Room _before = before;
    private readonly List<RoomCommand> _commands = [];
    private readonly Dictionary<string, DepartureReason> _reasons = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Participant> _removed = new(StringComparer.Ordinal);
    private readonly List<string> _notes = [];
    private ActionOutcome? _outcome;
    private string? _awaited;
    private string? _answered;
    private int _nextId;

    private Room Room { get; set; } = before;

    public void Apply(RoomInput input)
    {
        switch (input)
        {
            case CallInitiated e: OnInitiated(e); break;
            case CallAnswered e: OnAnswered(e); break;
            case CallHungUp e: OnHungUp(e); break;
            case ConferenceCreated e: Note($"conference.created {e.ConferenceId} (ours: {e.ConferenceId == Room.ConferenceId})"); break;
            case ParticipantJoined e: OnJoined(e); break;
            case ParticipantLeft e: OnLeft(e); break;
            case GatherEnded e: OnGathered(e); break;
            case SpeakEnded e: OnSpoken(e.CallControlId); break;
            case ConferenceEnded e: OnEnded(e); break;
            case OwnerAction e: OnOwnerAction(e); break;
            case CommandCompleted e: OnCompleted(e); break;
            default: Note($"{input.GetType().Name} is not a room input"); break;
        }
    }

    public Decision Finish()
    {
        var changed = _commands.Count > 0 || !Room.Equals(_before);
        var next = changed ? Room with { Version = _before.Version + 1 } : _before;
        return new Decision(next, _commands, Changes(_before, next))
        {
            Outcome = _outcome,
            AwaitedCommand = _awaited,
            AnsweredCommand = _answered,
            Notes = _notes,
        };
    }

    // ---- Telnyx events -------------------------------------------------------------------------------------

    private void OnInitiated(CallInitiated e)
    {
        if (IsLate(e.CallControlId, "call.initiated"))
        {
            return;
        }

        // Only inbound calls are answered: Telnyx refuses answer on a leg this server dialed.
        if (!e.Incoming)
        {
            Note($"not answering {e.CallControlId}: not incoming");
            return;
        }

        if (Room.Ringing.Contains(e.CallControlId) || Room.Find(e.CallControlId) is not null)
        {
            Note($"{e.CallControlId} is already answered; repeated call.initiated ignored");
            return;
        }

        var ringing = Room.Ringing.Count >= Room.DepartedMemory ? Room.Ringing.RemoveAt(0) : Room.Ringing;
        Room = Room with { Ringing = ringing.Add(e.CallControlId) };
        Send(new Answer(e.CallControlId, ClientStateTag.Caller(Room.Id)) { Id = NextId() });
    }

    private void OnAnswered(CallAnswered e)
    {
        if (IsLate(e.CallControlId, "call.answered"))
        {
            return;
        }

        if (Room.Find(e.CallControlId) is not null)
        {
            Note($"{e.CallControlId} is already known; repeated call.answered ignored");
            return;
        }

        Room = Room with { Ringing = Room.Ringing.Remove(e.CallControlId) };
        var number = (e.Dialed ? e.To : e.From) ?? Participant.UnknownNumber;
        var caller = new Participant(e.CallControlId, number)
        {
            Dialed = e.Dialed,
            Role = e.Dialed ? e.DialedAs : ParticipantRole.Member,
            Status = ParticipantStatus.Answered,
            Since = now,
        };

        // A caller of a room with a PIN enters it first; a leg this server dialed was invited and is let in.
        if (!e.Dialed && settings.AsksForPin)
        {
            Room = Room with { Participants = Room.Participants.Add(caller with { Status = ParticipantStatus.EnteringPin }) };
            Send(new GatherUsingSpeak(e.CallControlId, settings.PinPrompt, settings.Voice, settings.Language, MaximumPinDigits) { Id = NextId() });
            return;
        }

        Room = Room with { Participants = Room.Participants.Add(caller) };
        Admit(caller);
    }

    /// <summary>The longest PIN a room takes.</summary>
    private const int MaximumPinDigits = 12;

    private const int PinTries = 3;

    /// <summary>Lets a caller in: refused when the room is full; otherwise greeted and seated.</summary>
    private void Admit(Participant caller)
    {
        if (settings.MaxParticipants is { } max
            && Room.Participants.Count(p => p.Status != ParticipantStatus.EnteringPin && p.CallControlId != caller.CallControlId) >= max)
        {
            Farewell(caller.CallControlId, settings.FullNotice, DepartureReason.Full);
            return;
        }

        // The greeting and the seat go out together: the caller is put in the room without waiting for the speak.
        var first = Room.Phase == ConferencePhase.None;
        Send(new Speak(caller.CallControlId, first ? settings.FirstCallerGreeting : settings.LaterCallerGreeting, settings.Voice, settings.Language)
        {
            Id = NextId(),
        });
        Seat(caller);
    }

    private void OnGathered(GatherEnded e)
    {
        if (Room.Find(e.CallControlId) is not { Status: ParticipantStatus.EnteringPin } caller || e.Status == "call_hangup")
        {
            return;
        }

        // The digits are compared, never written anywhere: a PIN appears in no note, log or state.
        var digits = e.Digits ?? "";
        ParticipantRole? role = (settings.ModeratorPin, settings.Pin) switch
        {
            ({ } moderator, _) when FixedEquals(digits, moderator) => ParticipantRole.Moderator,
            (_, { } member) when FixedEquals(digits, member) => ParticipantRole.Member,
            (_, null) when digits.Length == 0 => ParticipantRole.Member, // only a moderator PIN: pound alone lets a member in
            _ => null,
        };
        if (role is { } admitted)
        {
            var entered = caller with { Role = admitted, Status = ParticipantStatus.Answered };
            Update(entered);
            Note($"{e.CallControlId} entered the right PIN and comes in as {admitted}");
            Admit(entered);
        }
        else if (caller.PinTries + 1 >= PinTries)
        {
            Note($"{e.CallControlId} entered a wrong PIN {PinTries} times and is hung up");
            Farewell(e.CallControlId, settings.PinGoodbye, DepartureReason.WrongPin);
        }
        else
        {
            Update(caller with { PinTries = caller.PinTries + 1 });
            Send(new GatherUsingSpeak(e.CallControlId, settings.PinRetryPrompt, settings.Voice, settings.Language, MaximumPinDigits) { Id = NextId() });
        }
    }

    private static bool FixedEquals(string entered, string pin) =>
        System.Security.Cryptography.CryptographicOperations.FixedTimeEquals(
            System.Text.Encoding.ASCII.GetBytes(entered), System.Text.Encoding.ASCII.GetBytes(pin));

    /// <summary>A caller who cannot come in hears why; once it has been said, the call is hung up.</summary>
    private void Farewell(string leg, string notice, DepartureReason reason)
    {
        Remove(leg, reason);
        Room = Room with { Farewells = Room.Farewells.Add(leg) };
        Send(new Speak(leg, notice, settings.Voice, settings.Language) { Id = NextId() });
    }

    /// <summary>call.speak.ended, or the speak's failure: a leg told goodbye is hung up now.</summary>
    private void OnSpoken(string leg)
    {
        if (Room.Farewells.Contains(leg))
        {
            Room = Room with { Farewells = Room.Farewells.Remove(leg) };
            Send(new Hangup(leg) { Id = NextId() });
        }
    }

    private void OnHungUp(CallHungUp e)
    {
        Room = Room.Farewells.Contains(e.CallControlId) ? Room with { Farewells = Room.Farewells.Remove(e.CallControlId) } : Room;
        if (Remove(e.CallControlId, DepartureReason.HungUp))
        {
            BalanceHold();
        }
    }

    private void OnJoined(ParticipantJoined e)
    {
        if (IsLate(e.CallControlId, "conference.participant.joined") || !IsOurs(e, e.ConferenceId))
        {
            return;
        }

        var participant = Room.Find(e.CallControlId);
        if (participant is null)
        {
            // Somebody joined by other means (another app, the portal): they are in the room all the same.
            participant = new Participant(e.CallControlId, Participant.UnknownNumber) { Status = ParticipantStatus.InRoom, Since = now };
            Room = Room with { Participants = Room.Participants.Add(participant) };
        }
        else if (participant.Status == ParticipantStatus.InRoom)
        {
            Note($"{e.CallControlId} is already in the room; repeated conference.participant.joined ignored");
            return;
        }
        else
        {
            Update(participant with { Status = ParticipantStatus.InRoom });
        }

        BalanceHold();
    }

    private void OnLeft(ParticipantLeft e)
    {
        if (IsOurs(e, e.ConferenceId) && Remove(e.CallControlId, DepartureReason.Left))
        {
            BalanceHold();
        }
    }

    private void OnEnded(ConferenceEnded e)
    {
        if (IsOurs(e, e.ConferenceId))
        {
            Note($"conference {e.ConferenceId} ended ({e.Reason ?? "no reason given"}); the next caller opens a new one");
            Reset(Room.Ending ?? DepartureReason.ConferenceEnded);
        }
    }

    /// <summary>
    /// True when a conference event is for this room's live conference. One that comes while the create is on its way
    /// (Telnyx may report the join before it answers the create) is kept and decided again once the room is live.
    /// </summary>
    private bool IsOurs(RoomInput e, string conferenceId)
    {
        if (Room.Phase == ConferencePhase.Live && string.Equals(conferenceId, Room.ConferenceId, StringComparison.Ordinal))
        {
            return true;
        }

        if (Room.Phase == ConferencePhase.Creating)
        {
            var deferred = Room.Deferred.Count >= RoomRules.DeferredMemory ? Room.Deferred.RemoveAt(0) : Room.Deferred;
            Room = Room with { Deferred = deferred.Add(e) };
            Note($"{e.GetType().Name} for conference {conferenceId} kept until the create answers");
            return false;
        }

        Note($"{e.GetType().Name} for conference {conferenceId} ignored: ours is {Room.ConferenceId ?? "none"}");
        return false;
    }

    private bool IsLate(string leg, string eventType)
    {
        if (!Room.HasDeparted(leg))
        {
            return false;
        }

        Note($"{eventType} for {leg} ignored: that leg has already gone");
        return true;
    }

    // ---- The seat: create, adopt, join ---------------------------------------------------------------------

    /// <summary>Puts an answered caller in the conference: creates it, waits for the create on its way, or joins.</summary>
    private void Seat(Participant caller)
    {
        switch (Room.Phase)
        {
            case ConferencePhase.None:
                Room = Room with { Phase = ConferencePhase.Creating, Creator = caller.CallControlId };
                Send(CreateFor(caller));
                break;
            case ConferencePhase.Live:
                Send(JoinFor(Room.ConferenceId!, caller));
                break;
            default:
                // The second of two first callers joins the conference still being created, once it answers.
                break;
        }
    }

    /// <summary>
    /// The create for the room's first caller. In a room that waits for its moderator, a member opens it unstarted,
    /// with the room's hold audio for whoever joins before the moderator.
    /// </summary>
    private CreateConference CreateFor(Participant creator)
    {
        var waits = settings.WaitForModerator && creator.Role != ParticipantRole.Moderator;
        return new CreateConference(creator.CallControlId, Room.Id, ClientStateTag.Seat(Room.Id))
        {
            Id = NextId(),
            Beep = settings.Beep,
            MaxParticipants = settings.MaxParticipants,
            StartOnCreate = waits ? false : null,
            HoldAudioUrl = waits ? settings.HoldAudioUrl : null,
        };
    }

    /// <summary>A join with the room's rules for the caller's role; options the room does not use are left out.</summary>
    private JoinConference JoinFor(string conferenceId, Participant caller)
    {
        var moderator = caller.Role == ParticipantRole.Moderator;
        return new JoinConference(conferenceId, caller.CallControlId, ClientStateTag.Seat(Room.Id))
        {
            Id = NextId(),
            Beep = settings.Beep,
            StartOnEnter = settings.WaitForModerator ? moderator : null,
            EndOnExit = settings.EndWhenModeratorLeaves && moderator ? true : null,
            Mute = settings.JoinMuted && !moderator ? true : null,
        };
    }

    private void OnCreated(CreateConference command, CommandResult result)
    {
        if (Room.Phase != ConferencePhase.Creating || Room.Creator != command.CallControlId || Room.Adopting is not null)
        {
            Note($"answer to create for {command.CallControlId} ignored: the room is no longer waiting for it");
            return;
        }

        if (result.Failure is { NameInUse: true })
        {
            // This server restarted and forgot the conference still running at Telnyx: find it and join it.
            Note($"a conference named {Room.Id} is already running at Telnyx: joining it instead of creating one");
            Send(new FindConference(Room.Id) { Id = NextId() });
        }
        else if (result.Failure is { } failure)
        {
            NotSeated(command.CallControlId, failure);
        }
        else
        {
            Open(result.ConferenceId!, roster: null);
        }
    }

    private void OnFound(CommandResult result)
    {
        if (Room.Phase != ConferencePhase.Creating || Room.Creator is not { } creator || Room.Adopting is not null)
        {
            return;
        }

        if (result.ConferenceId is { } running)
        {
            Room = Room with { Adopting = new Adoption(running, []) };
            Send(new ListParticipants(running) { Id = NextId() });
        }
        else
        {
            NotSeated(creator, result.Failure
                ?? new CommandFailure(FailureKind.Rejected, $"a conference named {Room.Id} is in use at Telnyx, but none is running"));
        }
    }

    private void OnRoster(ListParticipants command, CommandResult result)
    {
        if (Room.Adopting?.ConferenceId != command.ConferenceId || Room.Creator is not { } creator)
        {
            return;
        }

        if (result.Failure is { } failure)
        {
            Note($"the roster of {command.ConferenceId} is not available ({failure.Reason}); joining without it");
        }

        Room = Room with { Adopting = Room.Adopting with { Roster = result.Roster ?? [] } };
        Send(JoinFor(command.ConferenceId, Room.Find(creator) ?? new Participant(creator, Participant.UnknownNumber)));
    }

    private void OnJoinAnswered(JoinConference command, CommandResult result)
    {
        if (Room.Phase == ConferencePhase.Creating && Room.Adopting is { } adopting && command.CallControlId == Room.Creator
            && command.ConferenceId == adopting.ConferenceId)
        {
            if (result.Failure is { } adoptFailure)
            {
                NotSeated(command.CallControlId, adoptFailure);
            }
            else
            {
                Open(adopting.ConferenceId, adopting.Roster);
            }

            return;
        }

        if (result.Failure is { } failure)
        {
            NotSeated(command.CallControlId, failure);
        }
        else if (Room.Find(command.CallControlId) is { Status: ParticipantStatus.Answered } joining)
        {
            Update(joining with { Status = ParticipantStatus.Joining, Muted = joining.Muted || command.Mute == true });
        }
    }

    /// <summary>The conference exists: the room goes live, the callers who waited for it join, early events are decided.</summary>
    private void Open(string conferenceId, ImmutableList<RosterEntry>? roster)
    {
        var creator = Room.Creator;
        Room = Room with { Phase = ConferencePhase.Live, ConferenceId = conferenceId, Creator = null, Adopting = null };
        Note($"conference {conferenceId} opened by {creator}");
        if (creator is not null && Room.Find(creator) is { Status: ParticipantStatus.Answered } opener)
        {
            Update(opener with { Status = ParticipantStatus.Joining });
        }

        if (roster is not null)
        {
            TakeOver(roster, creator);
        }

        foreach (var waiting in Room.Participants.Where(p => p.Status == ParticipantStatus.Answered && p.CallControlId != creator))
        {
            Send(JoinFor(conferenceId, waiting));
        }

        // A create cannot mute its creator: a member who opens a room that joins members muted is muted now.
        if (settings.JoinMuted && creator is not null && Room.Find(creator) is { Role: ParticipantRole.Member })
        {
            Send(new ParticipantsCommand(ParticipantsAction.Mute, conferenceId, [creator]) { Id = NextId() });
        }

        if (Room.Participants.Count == 0)
        {
            Reset(DepartureReason.ConferenceEnded);
            return;
        }

        var deferred = Room.Deferred;
        Room = Room with { Deferred = [] };
        foreach (var input in deferred)
        {
            Apply(input);
        }
    }

    /// <summary>
    /// Lists the participants Telnyx already had in an adopted conference, ahead of the caller who found it; their
    /// numbers are not known. One lone participant on hold was, in all likelihood, held by this server before it
    /// restarted, so it is released when a second is in the room.
    /// </summary>
    private void TakeOver(ImmutableList<RosterEntry> roster, string? creator)
    {
        var present = roster
            .Where(r => r.Joined && r.CallControlId != creator && Room.Find(r.CallControlId) is null && !Room.HasDeparted(r.CallControlId))
            .Select(r => new Participant(r.CallControlId, Participant.UnknownNumber)
            {
                Status = ParticipantStatus.InRoom,
                Muted = r.Muted,
                OnHold = r.OnHold,
                Since = now,
            })
            .ToList();
        var at = creator is null ? Room.Participants.Count : Math.Max(0, Room.Participants.FindIndex(p => p.CallControlId == creator));
        Room = Room with { Participants = Room.Participants.InsertRange(at, present) };
        if (present is [{ OnHold: true } alone])
        {
            Room = Room with { AutoHeld = alone.CallControlId };
        }

        Note($"conference {Room.ConferenceId} taken over with {present.Count} participant(s) already in it");
    }

    /// <summary>
    /// A caller could not be put in the conference: no half-made conference and nobody left waiting in silence. They
    /// are hung up (unless their call has already ended); when they were creating it, the next waiting caller creates.
    /// </summary>
    private void NotSeated(string leg, CommandFailure failure)
    {
        Note($"could not put {leg} in the conference: {failure.Reason}");
        var present = Room.Find(leg) is not null;
        if (present && failure.ConferenceFull)
        {
            Farewell(leg, settings.FullNotice, DepartureReason.Full);
        }
        else
        {
            Remove(leg, DepartureReason.NotSeated);
            if (present && !failure.CallHasEnded)
            {
                Send(new Hangup(leg) { Id = NextId() });
            }
        }

        if (Room.Phase == ConferencePhase.Creating && Room.Creator == leg)
        {
            if (Room.Participants.FirstOrDefault(p => p.Status == ParticipantStatus.Answered) is { } next)
            {
                Room = Room with { Creator = next.CallControlId, Adopting = null };
                Send(CreateFor(next));
            }
            else
            {
                Room = Room with { Phase = ConferencePhase.None, Creator = null, Adopting = null, Deferred = [] };
            }
        }

        BalanceHold();
    }

    // ---- Hold for a lone participant ----------------------------------------------------------------------

    /// <summary>
    /// Decided on who is in the room: one person alone waits on hold music; when a second is in, the one this server
    /// held is released. A participant the owner put on hold stays as they are. While an automatic hold or unhold is
    /// on its way nothing more is sent; its answer decides again.
    /// </summary>
    private void BalanceHold()
    {
        // A room that waits for its moderator has Telnyx play its hold audio until the moderator comes.
        if (Room.Phase != ConferencePhase.Live || Room.AutoHoldCommand is not null || settings.WaitForModerator)
        {
            return;
        }

        var inRoom = Room.Participants.Where(p => p.Status == ParticipantStatus.InRoom).ToList();
        if (inRoom is [{ OnHold: false } alone])
        {
            var hold = new ParticipantsCommand(ParticipantsAction.Hold, Room.ConferenceId!, [alone.CallControlId], settings.HoldAudioUrl)
            {
                Id = NextId(),
            };
            Room = Room with { AutoHeld = alone.CallControlId, AutoHoldCommand = hold.Id };
            Send(hold);
        }
        else if (inRoom.Count >= 2 && Room.AutoHeld is { } held && Room.Find(held) is { Status: ParticipantStatus.InRoom, OnHold: true })
        {
            var unhold = new ParticipantsCommand(ParticipantsAction.Unhold, Room.ConferenceId!, [held]) { Id = NextId() };
            Room = Room with { AutoHoldCommand = unhold.Id };
            Send(unhold);
        }
    }

    private void OnAutoHoldAnswered(ParticipantsCommand command, CommandResult result)
    {
        if (command.Id != Room.AutoHoldCommand)
        {
            return; // the room was reset meanwhile
        }

        Room = Room with { AutoHoldCommand = null };
        var leg = command.CallControlIds[0];
        if (result.Failure is { } failure)
        {
            Note($"{command.Name} for {leg} failed: {failure.Reason}");
            if (command.Action == ParticipantsAction.Hold)
            {
                Room = Room with { AutoHeld = null };
            }

            // Decided again only when the room changes, so a failing hold is not repeated in a loop.
            if (failure.CallHasEnded && Remove(leg, DepartureReason.CallEnded))
            {
                BalanceHold();
            }

            return;
        }

        if (Room.Find(leg) is { } participant)
        {
            Update(participant with { OnHold = command.Action == ParticipantsAction.Hold });
        }

        if (command.Action == ParticipantsAction.Unhold)
        {
            Room = Room with { AutoHeld = null };
        }

        BalanceHold();
    }

    // ---- The owner's actions ------------------------------------------------------------------------------

    private void OnOwnerAction(OwnerAction action)
    {
        if (action.Kind == OwnerActionKind.Pull)
        {
            Pull(action.Number, action.Role);
            return;
        }

        if (!Room.IsActive)
        {
            _outcome = ActionOutcome.NoConference;
            return;
        }

        var leg = action.CallControlId ?? "";
        if (Room.Find(leg) is null)
        {
            _outcome = new ActionOutcome(OutcomeKind.UnknownParticipant, $"no participant {leg} in conference {Room.ConferenceId}");
            return;
        }

        var conference = Room.ConferenceId!;
        RoomCommand command = action.Kind switch
        {
            OwnerActionKind.Mute => new ParticipantsCommand(ParticipantsAction.Mute, conference, [leg]) { Id = NextId() },
            OwnerActionKind.Unmute => new ParticipantsCommand(ParticipantsAction.Unmute, conference, [leg]) { Id = NextId() },
            OwnerActionKind.Hold => new ParticipantsCommand(ParticipantsAction.Hold, conference, [leg], settings.HoldAudioUrl) { Id = NextId() },
            OwnerActionKind.Unhold => new ParticipantsCommand(ParticipantsAction.Unhold, conference, [leg]) { Id = NextId() },
            OwnerActionKind.RecordStart => new RecordStart(leg, settings.RecordingFormat, settings.RecordingChannels) { Id = NextId() },
            _ => new RecordStop(leg) { Id = NextId() },
        };
        SendForOwner(command);
    }

    /// <summary>Dials a number from the room's caller id; the leg joins (or opens) the room like any caller when it answers.</summary>
    private void Pull(string? number, ParticipantRole role)
    {
        if (!RoomRules.IsE164(number))
        {
            _outcome = new ActionOutcome(OutcomeKind.InvalidNumber, $"'{number}' is not an E.164 number such as +15551234567");
            return;
        }

        var allowed = settings.PullAllowedPrefixes;
        if (allowed.Count > 0 && !allowed.Any(prefix => number!.StartsWith(prefix, StringComparison.Ordinal)))
        {
            _outcome = new ActionOutcome(OutcomeKind.NotAllowed,
                $"{number} is outside the allowed prefixes ({string.Join(", ", allowed)}); see PULL_ALLOWED_PREFIXES");
            return;
        }

        if (string.IsNullOrEmpty(settings.CallerNumber) || string.IsNullOrEmpty(settings.ConnectionId))
        {
            _outcome = new ActionOutcome(OutcomeKind.NotConfigured,
                "pull needs TELNYX_PHONE_NUMBER (the caller id) and TELNYX_CONNECTION_ID (the Call Control application)");
            return;
        }

        SendForOwner(new Dial(number!, settings.CallerNumber, settings.ConnectionId, ClientStateTag.Dialed(Room.Id, role)) { Id = NextId() });
    }

    private void OnOwnerCommandAnswered(RoomCommand command, CommandResult result)
    {
        _answered = command.Id;
        if (result.Failure is { } failure)
        {
            _outcome = ActionOutcome.From(failure);

            // The leg is gone: drop it, and decide hold again for those who stay.
            if (failure.CallHasEnded && command.Leg is { } gone && Remove(gone, DepartureReason.CallEnded))
            {
                BalanceHold();
            }

            return;
        }

        _outcome = command is Dial ? ActionOutcome.Done with { CallControlId = result.CallControlId } : ActionOutcome.Done;
        if (command.Leg is not { } leg || Room.Find(leg) is not { } participant)
        {
            return;
        }

        Update(command switch
        {
            ParticipantsCommand { Action: ParticipantsAction.Mute } => participant with { Muted = true },
            ParticipantsCommand { Action: ParticipantsAction.Unmute } => participant with { Muted = false },
            ParticipantsCommand { Action: ParticipantsAction.Hold } => participant with { OnHold = true },
            ParticipantsCommand { Action: ParticipantsAction.Unhold } => participant with { OnHold = false },
            RecordStart => participant with { Recording = true },
            RecordStop => participant with { Recording = false },
            _ => participant,
        });
        if (command is ParticipantsCommand { Action: ParticipantsAction.Unhold } && Room.AutoHeld == leg)
        {
            Room = Room with { AutoHeld = null }; // the owner released the one this server held
        }
    }

    // ---- Command answers -----------------------------------------------------------------------------------

    private void OnCompleted(CommandCompleted completed)
    {
        var (command, result) = (completed.Command, completed.Result);
        if (command.ForOwner)
        {
            OnOwnerCommandAnswered(command, result);
            return;
        }

        switch (command)
        {
            case CreateConference create: OnCreated(create, result); break;
            case FindConference: OnFound(result); break;
            case ListParticipants list: OnRoster(list, result); break;
            case JoinConference join: OnJoinAnswered(join, result); break;
            case ParticipantsCommand { Action: ParticipantsAction.Hold or ParticipantsAction.Unhold } hold: OnAutoHoldAnswered(hold, result); break;
            case ParticipantsCommand { Action: ParticipantsAction.Mute } mute when result.Succeeded && Room.Find(mute.CallControlIds[0]) is { } muted:
                Update(muted with { Muted = true });
                break;
            case Speak speak when result.Failure is { } unsaid:
                if (Room.Farewells.Contains(speak.CallControlId))
                {
                    OnSpoken(speak.CallControlId); // the notice could not be said: hang up all the same
                }
                else if (unsaid.CallHasEnded && Remove(speak.CallControlId, DepartureReason.CallEnded))
                {
                    BalanceHold();
                }

                break;
            default:
                if (result.Failure is { } failure)
                {
                    Note($"{command.Name} for {command.Leg} failed: {failure.Reason}");
                }

                break;
        }
    }

    // ---- Bookkeeping ---------------------------------------------------------------------------------------

    /// <summary>
    /// Takes a leg out for good: out of the list, out of the automatic hold, into the departed memory. When the last
    /// one leaves a live conference, the conference is forgotten. True when the leg was listed.
    /// </summary>
    private bool Remove(string leg, DepartureReason reason)
    {
        if (!Room.HasDeparted(leg))
        {
            var departed = Room.Departed.Count >= Room.DepartedMemory ? Room.Departed.RemoveAt(0) : Room.Departed;
            Room = Room with { Departed = departed.Add(leg), Ringing = Room.Ringing.Remove(leg) };
        }

        if (Room.Find(leg) is not { } participant)
        {
            return false;
        }

        _reasons[leg] = reason;
        _removed[leg] = participant;
        Room = Room with
        {
            Participants = Room.Participants.Remove(participant),
            AutoHeld = Room.AutoHeld == leg ? null : Room.AutoHeld,
        };
        if (Room.Participants.Count == 0 && Room.Phase == ConferencePhase.Live)
        {
            Note($"conference {Room.ConferenceId} is empty and forgotten; the next caller opens a new one");
            Reset(reason);
        }
        else if (participant.Role == ParticipantRole.Moderator && settings.EndWhenModeratorLeaves && Room.Phase == ConferencePhase.Live
            && Room.Ending is null && !Room.Participants.Any(p => p.Role == ParticipantRole.Moderator))
        {
            // Telnyx ends it for a moderator who joined with end_conference_on_exit; one who created it did not.
            Note($"the last moderator left: ending conference {Room.ConferenceId}");
            Room = Room with { Ending = DepartureReason.ModeratorLeft };
            Send(new EndConference(Room.ConferenceId!) { Id = NextId() });
        }

        return true;
    }

    /// <summary>Forgets the conference: the next caller creates a new one.</summary>
    private void Reset(DepartureReason reason)
    {
        foreach (var participant in Room.Participants)
        {
            _reasons.TryAdd(participant.CallControlId, reason);
        }

        Room = Room with
        {
            Phase = ConferencePhase.None,
            ConferenceId = null,
            Creator = null,
            Adopting = null,
            AutoHeld = null,
            AutoHoldCommand = null,
            Participants = [],
            Deferred = [],
            Ending = null,
        };
    }

    private void Update(Participant changed)
    {
        var index = Room.Participants.FindIndex(p => p.CallControlId == changed.CallControlId);
        Room = Room with { Participants = Room.Participants.SetItem(index, changed) };
    }

    private void Send(RoomCommand command) => _commands.Add(command);

    private void SendForOwner(RoomCommand command)
    {
        var owned = command with { ForOwner = true };
        _awaited = owned.Id;
        _commands.Add(owned);
    }

    private string NextId() => CommandIds.For(_before.Epoch, _before.Version + 1, _nextId++);

    private void Note(string note) => _notes.Add(note);

    /// <summary>What changed between two versions of the room, as the events a watcher needs.</summary>
    private List<RoomEvent> Changes(Room old, Room next)
    {
        var events = new List<RoomEvent>();
        if (ReferenceEquals(old, next))
        {
            return events;
        }

        if (old.Phase != next.Phase || old.ConferenceId != next.ConferenceId || old.Locked != next.Locked)
        {
            events.Add(new RoomUpdated(next.Id, next.Phase, next.ConferenceId, next.Locked));
        }

        foreach (var participant in next.Participants)
        {
            var earlier = old.Find(participant.CallControlId);
            if (earlier is null)
            {
                events.Add(new ParticipantJoinedRoom(next.Id, participant));
            }
            else if (earlier != participant)
            {
                events.Add(new ParticipantUpdated(next.Id, participant));
            }
        }

        // Those who left, including callers who came and were turned away within this one decision.
        var gone = old.Participants.Where(p => next.Find(p.CallControlId) is null)
            .Concat(_removed.Values.Where(p => old.Find(p.CallControlId) is null && next.Find(p.CallControlId) is null));
        foreach (var participant in gone)
        {
            events.Add(new ParticipantLeftRoom(next.Id, participant, _reasons.GetValueOrDefault(participant.CallControlId, DepartureReason.Left)));
        }

        return events;
    }
}
