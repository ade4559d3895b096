using System.Text.Json.Serialization;

namespace ConferenceDemo.Telnyx;

// Request and response bodies of the commands this server sends, as Telnyx's OpenAPI names them (snake_case via
// TelnyxJson). Nulls are left out. Every command that Telnyx lets carry a command_id carries one, made fresh for each
// logical command and kept for its retries: Telnyx drops a repeated command_id. Conference mute, unmute, hold and
// unhold have no command_id in the spec; they set a state, so repeating them is harmless.

internal sealed record AnswerRequest(string? ClientState, string CommandId);

internal sealed record HangupRequest(string CommandId);

internal sealed record SpeakRequest(string Payload, string Voice, string Language, string CommandId);

internal sealed record DialRequest(string To, string From, string ConnectionId, string? ClientState, string CommandId);

internal sealed record RecordStartRequest(string Format, string Channels, string CommandId);

internal sealed record RecordStopRequest(string CommandId);

internal sealed record CreateConferenceRequest(string CallControlId, string Name, string? ClientState, string CommandId)
{
    public string? BeepEnabled { get; init; }

    public int? MaxParticipants { get; init; }

    public bool? StartConferenceOnCreate { get; init; }

    public string? HoldAudioUrl { get; init; }
}

internal sealed record JoinConferenceRequest(string CallControlId, string? ClientState, string CommandId)
{
    public string? BeepEnabled { get; init; }

    public bool? StartConferenceOnEnter { get; init; }

    public bool? EndConferenceOnExit { get; init; }

    public bool? Mute { get; init; }
}

internal sealed record GatherUsingSpeakRequest(string Payload, string Voice, string Language, int MaximumDigits, string TerminatingDigit,
    string ValidDigits, string CommandId);

internal sealed record EndConferenceRequest(string CommandId);

internal sealed record ParticipantsRequest(IReadOnlyList<string> CallControlIds);

internal sealed record HoldRequest(IReadOnlyList<string> CallControlIds, string? AudioUrl);

internal sealed record DataEnvelope<T>(T? Data);

internal sealed record ConferenceData(string? Id);

internal sealed record ListEnvelope<T>(IReadOnlyList<T>? Data, PageMeta? Meta);

internal sealed record PageMeta(int? TotalPages);

/// <summary>A participant as Telnyx lists it (GET /conferences/{id}/participants).</summary>
public sealed record ConferenceParticipant(string? CallControlId, string? Status, bool Muted, bool OnHold);

internal sealed record CallData(string? CallControlId);

internal sealed record ErrorsEnvelope(IReadOnlyList<TelnyxError>? Errors);

[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    PropertyNameCaseInsensitive = true)]
[JsonSerializable(typeof(AnswerRequest))]
[JsonSerializable(typeof(HangupRequest))]
[JsonSerializable(typeof(SpeakRequest))]
[JsonSerializable(typeof(DialRequest))]
[JsonSerializable(typeof(RecordStartRequest))]
[JsonSerializable(typeof(RecordStopRequest))]
[JsonSerializable(typeof(CreateConferenceRequest))]
[JsonSerializable(typeof(JoinConferenceRequest))]
[JsonSerializable(typeof(ParticipantsRequest))]
[JsonSerializable(typeof(GatherUsingSpeakRequest))]
[JsonSerializable(typeof(EndConferenceRequest))]
[JsonSerializable(typeof(HoldRequest))]
[JsonSerializable(typeof(DataEnvelope<ConferenceData>))]
[JsonSerializable(typeof(DataEnvelope<CallData>))]
[JsonSerializable(typeof(ErrorsEnvelope))]
[JsonSerializable(typeof(ListEnvelope<ConferenceData>))]
[JsonSerializable(typeof(ListEnvelope<ConferenceParticipant>))]
internal sealed partial class TelnyxJson : JsonSerializerContext;
