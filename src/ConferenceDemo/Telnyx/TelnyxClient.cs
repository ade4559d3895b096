using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Microsoft.Extensions.Options;
using Polly.Timeout;

namespace ConferenceDemo.Telnyx;

/// <summary>
/// The one way this server talks to Telnyx: one async method per Call Control v2 command it uses. Each method
/// waits for Telnyx's answer and throws <see cref="TelnyxCommandException"/> when the command did not succeed,
/// carrying Telnyx's own errors[]. Ids are escaped in paths; bodies are snake_case JSON. Retries (5xx, 408, 429,
/// timeouts, connection errors) happen below it, in the handler <see cref="TelnyxResilience"/> adds, with the same
/// request, so the same command_id.
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

    /// <summary>Speaks to the whole conference, or only to <paramref name="listeners"/> when there are some.</summary>
    public Task ConferenceSpeakAsync(string conferenceId, string text, string voice, string language, IReadOnlyList<string> listeners,
        string commandId, CancellationToken ct = default) =>
        SendAsync("conference_speak", ConferenceAction(conferenceId, "speak"),
            new ConferenceSpeakRequest(text, voice, language, listeners.Count == 0 ? null : listeners, commandId), TelnyxJson.Default.ConferenceSpeakRequest, ct);

    /// <summary>Plays audio to the whole conference, or only to <paramref name="listeners"/>.</summary>
    public Task ConferencePlayAsync(string conferenceId, string audioUrl, IReadOnlyList<string> listeners, CancellationToken ct = default) =>
        SendAsync("conference_play", ConferenceAction(conferenceId, "play"),
            new ConferencePlayRequest(audioUrl, listeners.Count == 0 ? null : listeners), TelnyxJson.Default.ConferencePlayRequest, ct);

    /// <summary>Stops what is played or spoken to the conference.</summary>
    public Task ConferenceStopAsync(string conferenceId, CancellationToken ct = default) =>
        SendAsync("conference_stop", ConferenceAction(conferenceId, "stop"), new ConferenceStopRequest(null), TelnyxJson.Default.ConferenceStopRequest, ct);

    /// <summary>Records the conference's mix.</summary>
    public Task ConferenceRecordStartAsync(string conferenceId, string format, string channels, string commandId, CancellationToken ct = default) =>
        SendAsync("conference_record_start", ConferenceAction(conferenceId, "record_start"), new ConferenceRecordStartRequest(format, channels, commandId),
            TelnyxJson.Default.ConferenceRecordStartRequest, ct);

    /// <summary>record_stop, record_pause or record_resume of the conference's recording.</summary>
    public Task ConferenceRecordAsync(string conferenceId, string action, string commandId, CancellationToken ct = default) =>
        action is "record_stop" or "record_pause" or "record_resume"
            ? SendAsync("conference_" + action, ConferenceAction(conferenceId, action), new ConferenceRecordRequest(commandId),
                TelnyxJson.Default.ConferenceRecordRequest, ct)
            : throw new ArgumentOutOfRangeException(nameof(action), action, "record_stop, record_pause or record_resume");

    /// <summary>
    /// A fresh download link of a recording (Telnyx's links expire after minutes), mp3 first; null when Telnyx no
    /// longer has the recording (404).
    /// </summary>
    public async Task<Uri?> GetRecordingLinkAsync(string recordingId, CancellationToken ct = default)
    {
        byte[] body;
        try
        {
            body = await SendAsync("get_recording", HttpMethod.Get, $"recordings/{Segment("get_recording", recordingId)}", null, ct);
        }
        catch (TelnyxCommandException ex) when (ex.StatusCode == StatusCodes.Status404NotFound)
        {
            return null;
        }

        var data = ReadData("get_recording", body, TelnyxJson.Default.DataEnvelopeRecordingData);
        var link = data.DownloadUrls?.Mp3 ?? data.DownloadUrls?.Wav;
        // Telnyx links over https; a stand-in on this machine (the built-in simulator) links over http to loopback.
        return Uri.TryCreate(link, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttps || (uri.Scheme == Uri.UriSchemeHttp && uri.IsLoopback))
            ? uri
            : throw new TelnyxCommandException("get_recording", TelnyxFailure.InvalidResponse, "the answer has no https download link");
    }

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

        // One request for every attempt (TelnyxResilience retries it): the same bytes, so the same command_id.
        using var content = json is null ? null : new ByteArrayContent(json);
        content?.Headers.ContentType = Json;
        using var request = new HttpRequestMessage(method, path) { Content = content };
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        var started = time.GetTimestamp();
        request.Options.Set(TelnyxResilience.Started, started);
        try
        {
            using var response = await http.SendAsync(request, HttpCompletionOption.ResponseContentRead, ct);
            var bytes = await response.Content.ReadAsByteArrayAsync(ct);
            var status = (int)response.StatusCode;
            var attempts = AttemptsOf(request);
            var elapsed = time.GetElapsedTime(started);
            if (response.IsSuccessStatusCode)
            {
                Log.Succeeded(logger, command, path, status, attempts, elapsed.TotalMilliseconds);
                return bytes;
            }

            var failure = Failure(command, response, bytes, request, settings, attempts, elapsed);
            Log.GaveUp(logger, command, path, failure.Reason, attempts, elapsed.TotalMilliseconds);
            throw failure;
        }
        catch (Exception ex) when (ex is TimeoutRejectedException || (ex is OperationCanceledException && !ct.IsCancellationRequested))
        {
            var (attempts, elapsed) = (AttemptsOf(request), time.GetElapsedTime(started));
            var failure = new TelnyxCommandException(command, TelnyxFailure.TimedOut,
                $"Telnyx did not answer: {Attempts(attempts)} over {elapsed.TotalSeconds:0.0} s (TELNYX_COMMAND_TIMEOUT_SECONDS = " +
                $"{settings.CommandTimeoutSeconds} s an attempt, TELNYX_RETRY_BUDGET_SECONDS = {settings.RetryBudgetSeconds} s in all)", inner: ex);
            Log.GaveUp(logger, command, path, failure.Reason, attempts, elapsed.TotalMilliseconds);
            throw failure;
        }
        catch (HttpRequestException ex)
        {
            var (attempts, elapsed) = (AttemptsOf(request), time.GetElapsedTime(started));
            var failure = new TelnyxCommandException(command, TelnyxFailure.Unreachable,
                $"Telnyx could not be reached: {ex.Message} ({Attempts(attempts)} over {elapsed.TotalSeconds:0.0} s)", inner: ex);
            Log.GaveUp(logger, command, path, failure.Reason, attempts, elapsed.TotalMilliseconds);
            throw failure;
        }
    }

    private static int AttemptsOf(HttpRequestMessage request) =>
        request.Options.TryGetValue(TelnyxResilience.Attempts, out var attempts) ? attempts : 1;

    private static string Attempts(int n) => n == 1 ? "1 attempt" : $"{n} attempts";

    /// <summary>Telnyx's error status as a failure whose reason says what to do about it.</summary>
    private static TelnyxCommandException Failure(string command, HttpResponseMessage response, byte[] bytes, HttpRequestMessage request,
        TelnyxOptions settings, int attempts, TimeSpan elapsed)
    {
        var status = (int)response.StatusCode;
        var errors = ReadErrors(bytes);
        var reason = errors.Count > 0
            ? string.Join("; ", errors.Select(e => string.IsNullOrEmpty(e.Detail) ? $"{e.Title} ({e.Code})" : $"{e.Title}: {e.Detail} ({e.Code})"))
            : $"HTTP {status} {response.ReasonPhrase}";
        if (request.Options.TryGetValue(TelnyxResilience.WaitBeyondBudget, out var wait))
        {
            return new TelnyxCommandException(command, TelnyxFailure.RateLimited,
                $"rate limited: Telnyx asks to wait {wait.TotalSeconds:0.#} s, longer than what is left of TELNYX_RETRY_BUDGET_SECONDS " +
                $"({settings.RetryBudgetSeconds} s); not waited for ({reason})", status, errors);
        }

        if (status == StatusCodes.Status401Unauthorized)
        {
            reason = $"Telnyx refused the API key: check TELNYX_API_KEY (Mission Control > Account Settings > Keys & Credentials > API Keys) ({reason})";
        }
        else if (TelnyxResilience.IsRetryableStatus(response.StatusCode) && attempts > 1)
        {
            reason = $"{reason} ({Attempts(attempts)} over {elapsed.TotalSeconds:0.0} s)";
        }

        return new TelnyxCommandException(command, TelnyxFailure.Rejected, reason, status, errors);
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
        [LoggerMessage(EventId = 1110, EventName = "TelnyxCommandAnswered", Level = LogLevel.Information, Message = "Telnyx {Command} {Path}: {StatusCode} (attempt {Attempt}) in {ElapsedMs:0.0} ms")]
        public static partial void Succeeded(ILogger logger, string command, string path, int statusCode, int attempt, double elapsedMs);

        [LoggerMessage(EventId = 1111, EventName = "TelnyxCommandFailed", Level = LogLevel.Warning, Message = "Telnyx {Command} {Path} failed: {Reason} (attempts {Attempt}, {ElapsedMs:0.0} ms)")]
        public static partial void GaveUp(ILogger logger, string command, string path, string reason, int attempt, double elapsedMs);

        [LoggerMessage(EventId = 1113, EventName = "TelnyxCommandNotSent", Level = LogLevel.Error, Message = "Telnyx {Command} not sent: TELNYX_API_KEY is not set")]
        public static partial void NotConfigured(ILogger logger, string command);
    }
}
