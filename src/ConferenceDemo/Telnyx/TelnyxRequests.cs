using System.Text.Json.Serialization;

namespace ConferenceDemo.Telnyx;

// Request and response bodies of the commands this server sends, as Telnyx's OpenAPI names them (snake_case via
// TelnyxJson). Nulls are left out, so an empty command body is "{}", as the API requires.

internal sealed record AnswerRequest(string? ClientState);

internal sealed record HangupRequest;

internal sealed record SpeakRequest(string Payload, string Voice, string Language);

internal sealed record DialRequest(string To, string From, string ConnectionId, string? ClientState);

internal sealed record RecordStartRequest(string Format, string Channels);

internal sealed record RecordStopRequest;

internal sealed record CreateConferenceRequest(string CallControlId, string Name, string? ClientState);

internal sealed record JoinConferenceRequest(string CallControlId, string? ClientState);

internal sealed record ParticipantsRequest(IReadOnlyList<string> CallControlIds);

internal sealed record HoldRequest(IReadOnlyList<string> CallControlIds, string? AudioUrl);

internal sealed record DataEnvelope<T>(T? Data);

internal sealed record ConferenceData(string? Id, string? Name);

internal sealed record CallData(string? CallControlId, string? CallLegId, string? CallSessionId);

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
[JsonSerializable(typeof(HoldRequest))]
[JsonSerializable(typeof(DataEnvelope<ConferenceData>))]
[JsonSerializable(typeof(DataEnvelope<CallData>))]
[JsonSerializable(typeof(ErrorsEnvelope))]
internal sealed partial class TelnyxJson : JsonSerializerContext;
