using ConferenceDemo.Conference;
using ConferenceDemo.Telnyx;

namespace ConferenceDemo.Control;

/// <summary>One owner action on a participant: its URL segment, what it runs, and the demo's text on success.</summary>
public sealed record ParticipantAction(
    string Name,
    string Summary,
    Func<ConferenceControl, string, CancellationToken, Task<ControlResult>> Run,
    Func<string, string> SuccessText)
{
    /// <summary>"record-start" as "RecordStart": for endpoint names in the OpenAPI document.</summary>
    public string PascalName => string.Concat(Name.Split('-').Select(w => char.ToUpperInvariant(w[0]) + w[1..]));
}

/// <summary>The participant actions, shared by the demo's GET URLs and the POST API.</summary>
public static class ControlActions
{
    public static readonly IReadOnlyList<ParticipantAction> Participant =
    [
        new("mute", "Mute a participant", (c, p, ct) => c.MuteAsync(p, ct), p => $"participant muted [{p}]"),
        new("unmute", "Unmute a participant", (c, p, ct) => c.UnmuteAsync(p, ct), p => $"participant unmuted [{p}]"),
        new("hold", "Put a participant on hold music", (c, p, ct) => c.HoldAsync(p, ct), p => $"participant on hold [{p}]"),
        new("unhold", "Take a participant off hold", (c, p, ct) => c.UnholdAsync(p, ct), p => $"participant resumed [{p}]"),
        new("record-start", "Start recording a participant's leg (mp3, dual)", (c, p, ct) => c.StartRecordingAsync(p, ct), p => $"recording started for {p}"),
        new("record-stop", "Stop recording a participant's leg", (c, p, ct) => c.StopRecordingAsync(p, ct), p => $"recording stopped for {p}"),
    ];

    public const string NoConferenceText = "no participant or no conference exists";

    /// <summary>The HTTP status and one-line title of an outcome other than success.</summary>
    public static (int Status, string Title) Failure(ControlResult result) => result.Outcome switch
    {
        ControlOutcome.NoConference => (StatusCodes.Status404NotFound, NoConferenceText),
        ControlOutcome.UnknownParticipant => (StatusCodes.Status404NotFound, "no such participant"),
        ControlOutcome.InvalidNumber => (StatusCodes.Status400BadRequest, "not an E.164 number"),
        ControlOutcome.NotAllowed => (StatusCodes.Status403Forbidden, "number not allowed"),
        ControlOutcome.NotConfigured => (StatusCodes.Status503ServiceUnavailable, "not configured"),
        ControlOutcome.CallEnded => (StatusCodes.Status410Gone, "the call has ended"),
        _ => result.Failure?.Failure switch
        {
            TelnyxFailure.TimedOut => (StatusCodes.Status504GatewayTimeout, "Telnyx timed out"),
            TelnyxFailure.Unreachable => (StatusCodes.Status502BadGateway, "Telnyx unreachable"),
            TelnyxFailure.RateLimited => (StatusCodes.Status503ServiceUnavailable, "Telnyx rate limited"),
            _ => (StatusCodes.Status502BadGateway, "Telnyx error"),
        },
    };

    /// <summary>The plain-text body of a failure, as the GET URLs answer it.</summary>
    public static string FailureText(ControlResult result) => result.Outcome switch
    {
        ControlOutcome.NoConference => NoConferenceText,
        ControlOutcome.UnknownParticipant or ControlOutcome.InvalidNumber => result.Detail!,
        _ => $"{Failure(result).Title}: {result.Detail}",
    };
}

/// <summary>The conference as JSON (list).</summary>
public sealed record ConferenceView(string? ConferenceId, IReadOnlyList<ParticipantView> Participants)
{
    public static ConferenceView From(ConferenceSnapshot? snapshot) => snapshot is null
        ? new ConferenceView(null, [])
        : new ConferenceView(snapshot.ConferenceId, [.. snapshot.Participants.Select(ParticipantView.From)]);
}

/// <summary>One participant: its number and state.</summary>
/// <param name="Status">answered (greeted, being seated), joining (Telnyx accepted the join), or in_room.</param>
public sealed record ParticipantView(string CallControlId, string Number, string Status, bool OnHold, bool Muted, bool Recording, bool Dialed)
{
    public static ParticipantView From(Participant p) => new(p.CallControlId, p.Number, p.Status switch
    {
        ParticipantStatus.Answered => "answered",
        ParticipantStatus.Joining => "joining",
        _ => "in_room",
    }, p.OnHold, p.Muted, p.Recording, p.Dialed);
}

/// <summary>What an action on a participant came to.</summary>
public sealed record ActionView(string Action, string Participant, string Outcome, string Message);

/// <summary>Body of POST /api/calls.</summary>
public sealed record PullRequest(string? Number);

/// <summary>A call being placed (pull).</summary>
public sealed record CallView(string Number, string? CallControlId, string Outcome, string Message);
