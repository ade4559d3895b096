using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Microsoft.Extensions.Options;

namespace ConferenceDemo.Telnyx;

/// <summary>
/// The one way this server talks to Telnyx: one async method per Call Control v2 command it uses. Each method
/// waits for Telnyx's answer and throws <see cref="TelnyxCommandException"/> when the command did not succeed,
/// carrying Telnyx's own errors[]. Ids are escaped in paths; bodies are snake_case JSON. 5xx, 429, timeouts and
/// connection errors are retried with the same body (so the same command_id), with exponential backoff and jitter,
/// within <see cref="TelnyxOptions.RetryMaxAttempts"/> and <see cref="TelnyxOptions.RetryBudgetSeconds"/>.
/// </summary>
public sealed partial class TelnyxClient(HttpClient http, IOptions<TelnyxOptions> options, TimeProvider time, ILogger<TelnyxClient> logger)
{
    private static readonly MediaTypeHeaderValue Json = new("application/json");

    public Task AnswerAsync(string callControlId, string? clientState, string commandId, CancellationToken ct = default) =>
        SendAsync("answer", CallAction(callControlId, "answer"), new AnswerRequest(clientState, commandId), TelnyxJson.Default.AnswerRequest, ct);

    public Task HangupAsync(string callControlId, string commandId, CancellationToken ct = default) =>
        SendAsync("hangup", CallAction(callControlId, "hangup"), new HangupRequest(commandId), TelnyxJson.Default.HangupRequest, ct);

    public Task SpeakAsync(string callControlId, string text, string voice, string language, string commandId, CancellationToken ct = default) =>
        SendAsync("speak", CallAction(callControlId, "speak"), new SpeakRequest(text, voice, language, commandId), TelnyxJson.Default.SpeakRequest, ct);

    public Task StartRecordingAsync(string callControlId, string format, string channels, string commandId, CancellationToken ct = default) =>
        SendAsync("record_start", CallAction(callControlId, "record_start"), new RecordStartRequest(format, channels, commandId),
            TelnyxJson.Default.RecordStartRequest, ct);

    public Task StopRecordingAsync(string callControlId, string commandId, CancellationToken ct = default) =>
        SendAsync("record_stop", CallAction(callControlId, "record_stop"), new RecordStopRequest(commandId), TelnyxJson.Default.RecordStopRequest, ct);

    /// <summary>Dials out; returns the new leg's call_control_id.</summary>
    public async Task<string> DialAsync(string to, string from, string connectionId, string? clientState, string commandId, CancellationToken ct = default)
    {
        var body = await SendAsync("dial", "calls", new DialRequest(to, from, connectionId, clientState, commandId), TelnyxJson.Default.DialRequest, ct);
        var data = ReadData("dial", body, TelnyxJson.Default.DataEnvelopeCallData);
        return TelnyxIds.IsValid(data.CallControlId)
            ? data.CallControlId
            : throw new TelnyxCommandException("dial", TelnyxFailure.InvalidResponse, "the answer has no valid data.call_control_id");
    }

    /// <summary>Creates a conference around an answered leg; returns the conference id.</summary>
    public Task<string> CreateConferenceAsync(string callControlId, string name, string? clientState, string commandId, CancellationToken ct = default) =>
        CreateConferenceAsync(new CreateConferenceRequest(callControlId, name, clientState, commandId), ct);

    /// <summary>Creates a conference with options (beep, limits, an unstarted conference with hold audio).</summary>
    internal async Task<string> CreateConferenceAsync(CreateConferenceRequest request, CancellationToken ct = default)
    {
        var body = await SendAsync("create_conference", "conferences", request, TelnyxJson.Default.CreateConferenceRequest, ct);
        var data = ReadData("create_conference", body, TelnyxJson.Default.DataEnvelopeConferenceData);
        return TelnyxIds.IsValid(data.Id)
            ? data.Id
            : throw new TelnyxCommandException("create_conference", TelnyxFailure.InvalidResponse, "the answer has no valid data.id");
    }

    /// <summary>The id of the in-progress conference called <paramref name="name"/>, or null when there is none.</summary>
    public async Task<string?> FindActiveConferenceAsync(string name, CancellationToken ct = default)
    {
        var body = await SendAsync("list_conferences", HttpMethod.Get,
            $"conferences?filter%5Bname%5D={Uri.EscapeDataString(name)}&filter%5Bstatus%5D=in_progress", null, ct);
        var list = ReadList("list_conferences", body, TelnyxJson.Default.ListEnvelopeConferenceData);
        return list.Data?.FirstOrDefault(c => TelnyxIds.IsValid(c.Id))?.Id;
    }

    /// <summary>Everyone Telnyx has in a conference, every page of it (a conference holds at most 800).</summary>
    public async Task<IReadOnlyList<ConferenceParticipant>> ListParticipantsAsync(string conferenceId, CancellationToken ct = default)
    {
        var participants = new List<ConferenceParticipant>();
        for (var page = 1; page <= 10; page++)
        {
            var body = await SendAsync("list_participants", HttpMethod.Get,
                $"conferences/{Segment("list_participants", conferenceId)}/participants?page%5Bnumber%5D={page}&page%5Bsize%5D=250", null, ct);
            var list = ReadList("list_participants", body, TelnyxJson.Default.ListEnvelopeConferenceParticipant);
            // Ids from Telnyx go into later paths too: one that breaks the id rule is left out.
            participants.AddRange((list.Data ?? []).Where(p => TelnyxIds.IsValid(p.CallControlId)));
            if (page >= (list.Meta?.TotalPages ?? 1))
            {
                break;
            }
        }

        return participants;
    }

    public Task JoinConferenceAsync(string conferenceId, string callControlId, string? clientState, string commandId, CancellationToken ct = default) =>
        JoinConferenceAsync(conferenceId, new JoinConferenceRequest(callControlId, clientState, commandId), ct);

    /// <summary>Joins a leg with options (beep, start or end the conference, muted).</summary>
    internal Task JoinConferenceAsync(string conferenceId, JoinConferenceRequest request, CancellationToken ct = default) =>
        SendAsync("join", ConferenceAction(conferenceId, "join"), request, TelnyxJson.Default.JoinConferenceRequest, ct);

    /// <summary>Speaks a prompt and collects digits up to #; the digits come in call.gather.ended.</summary>
    public Task GatherUsingSpeakAsync(string callControlId, string prompt, string voice, string language, int maximumDigits, string commandId,
        CancellationToken ct = default) =>
        SendAsync("gather_using_speak", CallAction(callControlId, "gather_using_speak"),
            new GatherUsingSpeakRequest(prompt, voice, language, maximumDigits, "#", "0123456789", commandId), TelnyxJson.Default.GatherUsingSpeakRequest, ct);

    /// <summary>Ends the conference for everyone.</summary>
    public Task EndConferenceAsync(string conferenceId, string commandId, CancellationToken ct = default) =>
        SendAsync("end", ConferenceAction(conferenceId, "end"), new EndConferenceRequest(commandId), TelnyxJson.Default.EndConferenceRequest, ct);

    public Task MuteAsync(string conferenceId, IReadOnlyList<string> callControlIds, CancellationToken ct = default) =>
        SendAsync("mute", ConferenceAction(conferenceId, "mute"), new ParticipantsRequest(callControlIds), TelnyxJson.Default.ParticipantsRequest, ct);

    public Task UnmuteAsync(string conferenceId, IReadOnlyList<string> callControlIds, CancellationToken ct = default) =>
        SendAsync("unmute", ConferenceAction(conferenceId, "unmute"), new ParticipantsRequest(callControlIds), TelnyxJson.Default.ParticipantsRequest, ct);

    public Task HoldAsync(string conferenceId, IReadOnlyList<string> callControlIds, string? audioUrl, CancellationToken ct = default) =>
        SendAsync("hold", ConferenceAction(conferenceId, "hold"), new HoldRequest(callControlIds, string.IsNullOrWhiteSpace(audioUrl) ? null : audioUrl), TelnyxJson.Default.HoldRequest, ct);

    public Task UnholdAsync(string conferenceId, IReadOnlyList<string> callControlIds, CancellationToken ct = default) =>
        SendAsync("unhold", ConferenceAction(conferenceId, "unhold"), new ParticipantsRequest(callControlIds), TelnyxJson.Default.ParticipantsRequest, ct);

    /// <summary>A fresh command_id; the caller keeps it for every attempt and re-send of one logical command.</summary>
    public static string NewCommandId() => Guid.NewGuid().ToString();

    private static string CallAction(string callControlId, string action) =>
        $"calls/{Segment(action, callControlId)}/actions/{action}";

    private static string ConferenceAction(string conferenceId, string action) =>
        $"conferences/{Segment(action, conferenceId)}/actions/{action}";

    /// <summary>
    /// An id as one escaped path segment. An id outside <see cref="TelnyxIds"/> is refused before anything is sent,
    /// so no id can turn into a dot segment or a slash that would send the command to another Telnyx URL.
    /// </summary>
    private static string Segment(string command, string id)
    {
        if (!TelnyxIds.IsValid(id))
        {
            throw new TelnyxCommandException(command, TelnyxFailure.InvalidRequest, $"not sent: the id is not a Telnyx id ({TelnyxIds.Rule})");
        }

        // Escapes everything but letters, digits and "-._~"; a '.' cannot occur (see TelnyxIds), so the segment
        // can never be "." or "..".
        return Uri.EscapeDataString(id);
    }

    private Task<byte[]> SendAsync<T>(string command, string path, T body, JsonTypeInfo<T> typeInfo, CancellationToken ct) =>
        // Serialised once: every attempt sends the same bytes, so the same command_id.
        SendAsync(command, HttpMethod.Post, path, JsonSerializer.SerializeToUtf8Bytes(body, typeInfo), ct);

    private async Task<byte[]> SendAsync(string command, HttpMethod method, string path, byte[]? json, CancellationToken ct)
    {
        var settings = options.Value;
        if (!settings.HasApiKey)
        {
            Log.NotConfigured(logger, command);
            throw new TelnyxCommandException(command, TelnyxFailure.NotConfigured, "TELNYX_API_KEY is not set");
        }

        var started = time.GetTimestamp();
        var budget = TimeSpan.FromSeconds(settings.RetryBudgetSeconds);
        for (var attempt = 1; ; attempt++)
        {
            var outcome = await AttemptAsync(command, method, path, json, settings, ct);
            var elapsed = time.GetElapsedTime(started);
            if (outcome.Body is { } success)
            {
                Log.Succeeded(logger, command, path, outcome.StatusCode!.Value, attempt, elapsed.TotalMilliseconds);
                return success;
            }

            var failure = outcome.Failure!;
            var delay = outcome.Retryable ? TelnyxRetry.Delay(attempt, settings, outcome.RetryAfter) : (TimeSpan?)null;
            if (delay is null || attempt >= settings.RetryMaxAttempts || elapsed + delay.Value >= budget)
            {
                Log.GaveUp(logger, command, path, failure.Reason, attempt, elapsed.TotalMilliseconds);
                throw failure;
            }

            Log.Retrying(logger, command, path, failure.Reason, attempt, delay.Value.TotalMilliseconds);
            await Task.Delay(delay.Value, time, ct);
        }
    }

    private sealed record Attempt(byte[]? Body, int? StatusCode, TelnyxCommandException? Failure, bool Retryable, TimeSpan? RetryAfter);

    private async Task<Attempt> AttemptAsync(string command, HttpMethod method, string path, byte[]? json, TelnyxOptions settings,
        CancellationToken ct)
    {
        using var content = json is null ? null : new ByteArrayContent(json);
        content?.Headers.ContentType = Json;
        using var request = new HttpRequestMessage(method, path) { Content = content };
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        using var attemptTimeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        attemptTimeout.CancelAfter(TimeSpan.FromSeconds(settings.CommandTimeoutSeconds));
        try
        {
            using var response = await http.SendAsync(request, HttpCompletionOption.ResponseContentRead, attemptTimeout.Token);
            var bytes = await response.Content.ReadAsByteArrayAsync(attemptTimeout.Token);
            var status = (int)response.StatusCode;
            if (response.IsSuccessStatusCode)
            {
                return new Attempt(bytes, status, null, false, null);
            }

            var errors = ReadErrors(bytes);
            var reason = errors.Count > 0
                ? string.Join("; ", errors.Select(e => string.IsNullOrEmpty(e.Detail) ? $"{e.Title} ({e.Code})" : $"{e.Title}: {e.Detail} ({e.Code})"))
                : $"HTTP {status} {response.ReasonPhrase}";
            var failure = new TelnyxCommandException(command, TelnyxFailure.Rejected, reason, status, errors);
            var retryable = TelnyxRetry.IsRetryableStatus(status) && !failure.CallHasEnded;
            return new Attempt(null, status, failure, retryable, TelnyxRetry.ServerRequestedDelay(response, time.GetUtcNow()));
        }
        catch (OperationCanceledException ex) when (!ct.IsCancellationRequested)
        {
            return new Attempt(null, null, new TelnyxCommandException(command, TelnyxFailure.TimedOut,
                $"Telnyx did not answer within {settings.CommandTimeoutSeconds} s", inner: ex), true, null);
        }
        catch (HttpRequestException ex)
        {
            return new Attempt(null, null, new TelnyxCommandException(command, TelnyxFailure.Unreachable,
                $"Telnyx could not be reached: {ex.Message}", inner: ex), true, null);
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

    private static ListEnvelope<T> ReadList<T>(string command, byte[] body, JsonTypeInfo<ListEnvelope<T>> typeInfo)
    {
        try
        {
            return (body.Length == 0 ? null : JsonSerializer.Deserialize(body, typeInfo))
                ?? throw new TelnyxCommandException(command, TelnyxFailure.InvalidResponse, "the answer is empty");
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
        [LoggerMessage(1, LogLevel.Information, "Telnyx {Command} {Path}: {StatusCode} (attempt {Attempt}) in {ElapsedMs:0.0} ms")]
        public static partial void Succeeded(ILogger logger, string command, string path, int statusCode, int attempt, double elapsedMs);

        [LoggerMessage(2, LogLevel.Warning, "Telnyx {Command} {Path} failed: {Reason} (attempt {Attempt}, {ElapsedMs:0.0} ms); not retried")]
        public static partial void GaveUp(ILogger logger, string command, string path, string reason, int attempt, double elapsedMs);

        [LoggerMessage(3, LogLevel.Warning, "Telnyx {Command} {Path} failed: {Reason} (attempt {Attempt}); retrying in {DelayMs:0} ms")]
        public static partial void Retrying(ILogger logger, string command, string path, string reason, int attempt, double delayMs);

        [LoggerMessage(4, LogLevel.Error, "Telnyx {Command} not sent: TELNYX_API_KEY is not set")]
        public static partial void NotConfigured(ILogger logger, string command);
    }
}
