using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Microsoft.Extensions.Options;

namespace ConferenceDemo.Telnyx;

/// <summary>
/// The one way this server talks to Telnyx: one async method per Call Control v2 command it uses. Each method
/// waits for Telnyx's answer and throws <see cref="TelnyxCommandException"/> when the command did not succeed,
/// carrying Telnyx's own errors[]. Ids are escaped in paths; bodies are snake_case JSON, "{}" when empty.
/// </summary>
public sealed partial class TelnyxClient(HttpClient http, IOptions<TelnyxOptions> options, ILogger<TelnyxClient> logger)
{
    private static readonly MediaTypeHeaderValue Json = new("application/json");

    public Task AnswerAsync(string callControlId, string? clientState, CancellationToken ct = default) =>
        SendAsync("answer", CallAction(callControlId, "answer"), new AnswerRequest(clientState), TelnyxJson.Default.AnswerRequest, ct);

    public Task HangupAsync(string callControlId, CancellationToken ct = default) =>
        SendAsync("hangup", CallAction(callControlId, "hangup"), new HangupRequest(), TelnyxJson.Default.HangupRequest, ct);

    public Task SpeakAsync(string callControlId, string text, string voice, string language, CancellationToken ct = default) =>
        SendAsync("speak", CallAction(callControlId, "speak"), new SpeakRequest(text, voice, language), TelnyxJson.Default.SpeakRequest, ct);

    public Task StartRecordingAsync(string callControlId, string format, string channels, CancellationToken ct = default) =>
        SendAsync("record_start", CallAction(callControlId, "record_start"), new RecordStartRequest(format, channels),
            TelnyxJson.Default.RecordStartRequest, ct);

    public Task StopRecordingAsync(string callControlId, CancellationToken ct = default) =>
        SendAsync("record_stop", CallAction(callControlId, "record_stop"), new RecordStopRequest(), TelnyxJson.Default.RecordStopRequest, ct);

    /// <summary>Dials out; returns the new leg's call_control_id.</summary>
    public async Task<string> DialAsync(string to, string from, string connectionId, string? clientState, CancellationToken ct = default)
    {
        var body = await SendAsync("dial", "calls", new DialRequest(to, from, connectionId, clientState), TelnyxJson.Default.DialRequest, ct);
        var data = ReadData("dial", body, TelnyxJson.Default.DataEnvelopeCallData);
        return string.IsNullOrEmpty(data.CallControlId)
            ? throw new TelnyxCommandException("dial", TelnyxFailure.InvalidResponse, "the answer has no data.call_control_id")
            : data.CallControlId;
    }

    /// <summary>Creates a conference around an answered leg; returns the conference id.</summary>
    public async Task<string> CreateConferenceAsync(string callControlId, string name, string? clientState, CancellationToken ct = default)
    {
        var body = await SendAsync("create_conference", "conferences", new CreateConferenceRequest(callControlId, name, clientState),
            TelnyxJson.Default.CreateConferenceRequest, ct);
        var data = ReadData("create_conference", body, TelnyxJson.Default.DataEnvelopeConferenceData);
        return string.IsNullOrEmpty(data.Id)
            ? throw new TelnyxCommandException("create_conference", TelnyxFailure.InvalidResponse, "the answer has no data.id")
            : data.Id;
    }

    public Task JoinConferenceAsync(string conferenceId, string callControlId, string? clientState, CancellationToken ct = default) =>
        SendAsync("join", ConferenceAction(conferenceId, "join"), new JoinConferenceRequest(callControlId, clientState),
            TelnyxJson.Default.JoinConferenceRequest, ct);

    public Task MuteAsync(string conferenceId, IReadOnlyList<string> callControlIds, CancellationToken ct = default) =>
        SendAsync("mute", ConferenceAction(conferenceId, "mute"), new ParticipantsRequest(callControlIds), TelnyxJson.Default.ParticipantsRequest, ct);

    public Task UnmuteAsync(string conferenceId, IReadOnlyList<string> callControlIds, CancellationToken ct = default) =>
        SendAsync("unmute", ConferenceAction(conferenceId, "unmute"), new ParticipantsRequest(callControlIds), TelnyxJson.Default.ParticipantsRequest, ct);

    public Task HoldAsync(string conferenceId, IReadOnlyList<string> callControlIds, string? audioUrl, CancellationToken ct = default) =>
        SendAsync("hold", ConferenceAction(conferenceId, "hold"), new HoldRequest(callControlIds, audioUrl), TelnyxJson.Default.HoldRequest, ct);

    public Task UnholdAsync(string conferenceId, IReadOnlyList<string> callControlIds, CancellationToken ct = default) =>
        SendAsync("unhold", ConferenceAction(conferenceId, "unhold"), new ParticipantsRequest(callControlIds), TelnyxJson.Default.ParticipantsRequest, ct);

    private static string CallAction(string callControlId, string action) =>
        $"calls/{Uri.EscapeDataString(callControlId)}/actions/{action}";

    private static string ConferenceAction(string conferenceId, string action) =>
        $"conferences/{Uri.EscapeDataString(conferenceId)}/actions/{action}";

    private async Task<byte[]> SendAsync<T>(string command, string path, T body, JsonTypeInfo<T> typeInfo, CancellationToken ct)
    {
        if (!options.Value.HasApiKey)
        {
            Log.NotConfigured(logger, command);
            throw new TelnyxCommandException(command, TelnyxFailure.NotConfigured, "TELNYX_API_KEY is not set");
        }

        using var content = new ByteArrayContent(JsonSerializer.SerializeToUtf8Bytes(body, typeInfo));
        content.Headers.ContentType = Json;
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = content };
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));

        var started = Stopwatch.GetTimestamp();
        HttpResponseMessage response;
        try
        {
            response = await http.SendAsync(request, HttpCompletionOption.ResponseContentRead, ct);
        }
        catch (OperationCanceledException ex) when (!ct.IsCancellationRequested)
        {
            Log.Failed(logger, command, path, "timed out", Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            throw new TelnyxCommandException(command, TelnyxFailure.TimedOut,
                $"Telnyx did not answer within {options.Value.CommandTimeoutSeconds} s", inner: ex);
        }
        catch (HttpRequestException ex)
        {
            Log.Failed(logger, command, path, ex.Message, Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            throw new TelnyxCommandException(command, TelnyxFailure.Unreachable, $"Telnyx could not be reached: {ex.Message}", inner: ex);
        }

        using (response)
        {
            var bytes = await response.Content.ReadAsByteArrayAsync(ct);
            var status = (int)response.StatusCode;
            var elapsed = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            if (response.IsSuccessStatusCode)
            {
                Log.Succeeded(logger, command, path, status, elapsed);
                return bytes;
            }

            var errors = ReadErrors(bytes);
            var reason = errors.Count > 0
                ? string.Join("; ", errors.Select(e => string.IsNullOrEmpty(e.Detail) ? $"{e.Title} ({e.Code})" : $"{e.Title}: {e.Detail} ({e.Code})"))
                : $"HTTP {status} {response.ReasonPhrase}";
            Log.Rejected(logger, command, path, status, reason, elapsed);
            throw new TelnyxCommandException(command, TelnyxFailure.Rejected, reason, status, errors);
        }
    }

    private static TData ReadData<TData>(string command, byte[] body, JsonTypeInfo<DataEnvelope<TData>> typeInfo)
        where TData : class
    {
        try
        {
            var envelope = body.Length == 0 ? null : JsonSerializer.Deserialize(body, typeInfo);
            return envelope?.Data ?? throw new TelnyxCommandException(command, TelnyxFailure.InvalidResponse,
                body.Length == 0 ? "the answer is empty" : "the answer has no data");
        }
        catch (JsonException ex)
        {
            throw new TelnyxCommandException(command, TelnyxFailure.InvalidResponse, "the answer is not the JSON Telnyx sends", inner: ex);
        }
    }

    private static IReadOnlyList<TelnyxError> ReadErrors(byte[] body)
    {
        try
        {
            return body.Length == 0 ? [] : JsonSerializer.Deserialize(body, TelnyxJson.Default.ErrorsEnvelope)?.Errors ?? [];
        }
        catch (JsonException)
        {
            return [];
        }
    }

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Information, "Telnyx {Command} {Path}: {StatusCode} in {ElapsedMs:0.0} ms")]
        public static partial void Succeeded(ILogger logger, string command, string path, int statusCode, double elapsedMs);

        [LoggerMessage(2, LogLevel.Warning, "Telnyx {Command} {Path}: rejected {StatusCode} {Reason} in {ElapsedMs:0.0} ms")]
        public static partial void Rejected(ILogger logger, string command, string path, int statusCode, string reason, double elapsedMs);

        [LoggerMessage(3, LogLevel.Warning, "Telnyx {Command} {Path}: {Reason} after {ElapsedMs:0.0} ms")]
        public static partial void Failed(ILogger logger, string command, string path, string reason, double elapsedMs);

        [LoggerMessage(4, LogLevel.Error, "Telnyx {Command} not sent: TELNYX_API_KEY is not set")]
        public static partial void NotConfigured(ILogger logger, string command);
    }
}
