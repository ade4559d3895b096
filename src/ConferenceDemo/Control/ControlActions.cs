using ConferenceDemo.Rooms;

namespace ConferenceDemo.Control;

/// <summary>One owner action on a participant: its URL segment, the room action it is, and the demo's text on success.</summary>
public sealed record ParticipantAction(string Name, string Summary, OwnerActionKind Kind, Func<string, string> SuccessText)
{
    public Task<ActionOutcome> RunAsync(RoomControl control, string roomId, string callControlId, CancellationToken ct) =>
        control.RunAsync(roomId, new OwnerAction(Kind, callControlId), ct);

    /// <summary>"record-start" as "RecordStart": for endpoint names in the OpenAPI document.</summary>
    public string PascalName => string.Concat(Name.Split('-').Select(w => char.ToUpperInvariant(w[0]) + w[1..]));
}

/// <summary>The participant actions, shared by the demo's GET URLs and the POST API.</summary>
public static class ControlActions
{
    public static readonly IReadOnlyList<ParticipantAction> Participant =
    [
        new("mute", "Mute a participant", OwnerActionKind.Mute, p => $"participant muted [{p}]"),
        new("unmute", "Unmute a participant", OwnerActionKind.Unmute, p => $"participant unmuted [{p}]"),
        new("hold", "Put a participant on hold music", OwnerActionKind.Hold, p => $"participant on hold [{p}]"),
        new("unhold", "Take a participant off hold", OwnerActionKind.Unhold, p => $"participant resumed [{p}]"),
        new("record-start", "Start recording a participant's leg (mp3, dual)", OwnerActionKind.RecordStart, p => $"recording started for {p}"),
        new("record-stop", "Stop recording a participant's leg", OwnerActionKind.RecordStop, p => $"recording stopped for {p}"),
    ];

    public const string NoConferenceText = "no participant or no conference exists";

    /// <summary>The HTTP status and one-line title of an outcome other than success.</summary>
    public static (int Status, string Title) Failure(ActionOutcome result) => result.Kind switch
    {
        OutcomeKind.NoConference => (StatusCodes.Status404NotFound, NoConferenceText),
        OutcomeKind.UnknownParticipant => (StatusCodes.Status404NotFound, "no such participant"),
        OutcomeKind.InvalidNumber => (StatusCodes.Status400BadRequest, "not an E.164 number"),
        OutcomeKind.NotAllowed => (StatusCodes.Status403Forbidden, "number not allowed"),
        OutcomeKind.NotConfigured => (StatusCodes.Status503ServiceUnavailable, "not configured"),
        OutcomeKind.CallEnded => (StatusCodes.Status410Gone, "the call has ended"),
        _ => result.Failure?.Kind switch
        {
            FailureKind.TimedOut => (StatusCodes.Status504GatewayTimeout, "Telnyx timed out"),
            FailureKind.Unreachable => (StatusCodes.Status502BadGateway, "Telnyx unreachable"),
            FailureKind.RateLimited => (StatusCodes.Status503ServiceUnavailable, "Telnyx rate limited"),
            _ => (StatusCodes.Status502BadGateway, "Telnyx error"),
        },
    };

    /// <summary>The plain-text body of a failure, as the GET URLs answer it.</summary>
    public static string FailureText(ActionOutcome result) => result.Kind switch
    {
        OutcomeKind.NoConference => NoConferenceText,
        OutcomeKind.UnknownParticipant or OutcomeKind.InvalidNumber => result.Detail!,
        _ => $"{Failure(result).Title}: {result.Detail}",
    };
}

/// <summary>The conference as JSON (list).</summary>
public sealed record ConferenceView(string? ConferenceId, IReadOnlyList<ParticipantView> Participants)
{
    public static ConferenceView From(Room room) => room.IsActive
        ? new ConferenceView(room.ConferenceId, [.. room.Participants.Select(ParticipantView.From)])
        : new ConferenceView(null, []);
}

/// <summary>One participant: its number and state.</summary>
/// <param name="Status">answered (greeted, being seated), joining (Telnyx accepted the join), or in_room.</param>
public sealed record ParticipantView(string CallControlId, string Number, string Status, bool OnHold, bool Muted, bool Recording, bool Dialed)
{
    public static ParticipantView From(Participant p) => new(p.CallControlId, p.Number, StatusName(p.Status), p.OnHold, p.Muted, p.Recording, p.Dialed);

    public static string StatusName(ParticipantStatus status) => status switch
    {
        ParticipantStatus.Answered => "answered",
        ParticipantStatus.EnteringPin => "entering_pin",
        ParticipantStatus.Joining => "joining",
        _ => "in_room",
    };
}

/// <summary>
/// A participant's role as the JSON API writes and reads it: "member" or "moderator". The one place the names live,
/// so what a pull accepts is what a room's participant list answers.
/// </summary>
public static class RoleNames
{
    public const string Member = "member";
    public const string Moderator = "moderator";

    public static string Of(ParticipantRole role) => role == ParticipantRole.Moderator ? Moderator : Member;

    /// <summary>The role a request names; an absent one is a member. False for any other text.</summary>
    public static bool TryParse(string? name, out ParticipantRole role)
    {
        (var known, role) = name switch
        {
            null or Member => (true, ParticipantRole.Member),
            Moderator => (true, ParticipantRole.Moderator),
            _ => (false, ParticipantRole.Member),
        };
        return known;
    }
}

/// <summary>What an action on a participant came to.</summary>
public sealed record ActionView(string Action, string Participant, string Outcome, string Message);

/// <summary>Body of POST /api/calls and POST /api/rooms/{id}/calls. <paramref name="Role"/>: member (default) or moderator.</summary>
public sealed record PullRequest(string? Number, string? Role = null);

/// <summary>A call being placed (pull).</summary>
public sealed record CallView(string Number, string? CallControlId, string Outcome, string Message);
