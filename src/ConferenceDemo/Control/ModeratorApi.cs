using System.Text.Json;
using System.Text.Unicode;
using ConferenceDemo.Rooms;
using ConferenceDemo.Rooms.Processing;
using ConferenceDemo.Telnyx;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Options;

namespace ConferenceDemo.Control;

/// <summary>
/// The moderator's controls of a room: lock, kick, mute all, speak and play, stop, end, the room's recording and its
/// downloads. Each is decided by the room's rules and answers 200 with its outcome, 404 for no room or participant,
/// 409 when the room has no live conference (or its state refuses it), Problem Details otherwise.
/// </summary>
public static class ModeratorApi
{
    private static readonly (string Route, OwnerActionKind Kind, string Summary)[] Plain =
    [
        ("lock", OwnerActionKind.Lock, "Lock the room: only moderators get in"),
        ("unlock", OwnerActionKind.Unlock, "Unlock the room"),
        ("mute-all", OwnerActionKind.MuteAll, "Mute everyone but the moderators"),
        ("unmute-all", OwnerActionKind.UnmuteAll, "Unmute everyone but the moderators"),
        ("stop-audio", OwnerActionKind.StopAudio, "Stop what is spoken or played to the room"),
        ("end", OwnerActionKind.End, "End the conference for everyone"),
        ("recording/stop", OwnerActionKind.RecordingStop, "Stop the room's recording"),
        ("recording/pause", OwnerActionKind.RecordingPause, "Pause the room's recording"),
        ("recording/resume", OwnerActionKind.RecordingResume, "Resume the room's recording"),
    ];

    /// <summary>Adds the routes to the rooms group (/api/rooms), and the downloads under /api/recordings.</summary>
    public static void MapModeratorApi(this RouteGroupBuilder rooms, IEndpointRouteBuilder app)
    {
        foreach (var (route, kind, summary) in Plain)
        {
            rooms.MapPost($"/{{id}}/{route}", (HttpContext context, string id, RoomControl control, CancellationToken ct) =>
                    RunAsync(context, id, route, new OwnerAction(kind), control, ct))
                .WithName($"PostRoom{Pascal(route)}").WithSummary(summary).Produces<ModeratorActionView>()
                .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict)
                .ProducesProblem(StatusCodes.Status502BadGateway);
        }

        rooms.MapPost("/{id}/participants/{callControlId}/kick", (HttpContext context, string id, string callControlId, RoomControl control,
                    CancellationToken ct) => TelnyxIds.IsValid(callControlId)
                    ? RunAsync(context, id, "kick", new OwnerAction(OwnerActionKind.Kick, callControlId), control, ct)
                    : Task.FromResult<IResult>(BadRequest(ControlEndpoints.NotAnId(callControlId))))
            .WithName("PostRoomKick").WithSummary("Tell a participant they are removed, then hang them up").Produces<ModeratorActionView>()
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict);

        rooms.MapPost("/{id}/speak", SpeakAsync).WithName("PostRoomSpeak").WithSummary("Speak text to the room or to one participant")
            .Accepts<SpeakRequest>("application/json").Produces<ModeratorActionView>()
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict);
        rooms.MapPost("/{id}/play", PlayAsync).WithName("PostRoomPlay").WithSummary("Play an audio URL to the room or to one participant")
            .Accepts<PlayRequest>("application/json").Produces<ModeratorActionView>()
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict);
        rooms.MapPost("/{id}/recording/start", RecordingStartAsync).WithName("PostRoomRecordingStart")
            .WithSummary("Record the room's mix (format mp3|wav, channels single|dual)")
            .Accepts<RecordingStartRequest>("application/json").Produces<ModeratorActionView>()
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict);
        rooms.MapGet("/{id}/recordings", RecordingsAsync).WithName("GetRoomRecordings").WithSummary("The room's saved recordings")
            .WithMetadata(new ReadOnlyControlRoute()).ProducesProblem(StatusCodes.Status404NotFound);

        app.MapGroup("/api/recordings").WithTags("Rooms").RequireControlAccess()
            .MapGet("/{id}/download", DownloadAsync).WithName("GetRecordingDownload")
            .WithSummary("Redirects to a download link Telnyx makes just now (its links expire)")
            .WithMetadata(new ReadOnlyControlRoute())
            .Produces(StatusCodes.Status302Found).ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status502BadGateway);
    }

    internal static async Task<IResult> SpeakAsync(HttpContext context, string id, HttpRequest request, RoomControl control, IOptions<JsonOptions> json,
        CancellationToken ct)
    {
        const string usage = "the body must be {\"text\": \"…\", \"call_control_id\": null}";
        var (body, error) = await ReadAsync<SpeakRequest>(request, json.Value.SerializerOptions, usage, ct);
        if (error is not null)
        {
            return BadRequest(error);
        }

        if (string.IsNullOrWhiteSpace(body?.Text) || body.Text.Length > 3000)
        {
            return BadRequest($"text is 1 to 3000 characters (Telnyx's speak limit); {usage}");
        }

        return body.CallControlId is { } leg && !TelnyxIds.IsValid(leg)
            ? BadRequest(ControlEndpoints.NotAnId(leg))
            : await RunAsync(context, id, "speak", new OwnerAction(OwnerActionKind.Speak, body.CallControlId) { Text = body.Text }, control, ct);
    }

    internal static async Task<IResult> PlayAsync(HttpContext context, string id, HttpRequest request, RoomControl control, IOptions<JsonOptions> json,
        CancellationToken ct)
    {
        const string usage = "the body must be {\"audio_url\": \"https://…\", \"call_control_id\": null}";
        var (body, error) = await ReadAsync<PlayRequest>(request, json.Value.SerializerOptions, usage, ct);
        if (error is not null)
        {
            return BadRequest(error);
        }

        if (body?.AudioUrl is not { Length: <= 2048 } url || !Uri.TryCreate(url, UriKind.Absolute, out var parsed)
            || parsed.Scheme is not ("http" or "https"))
        {
            return BadRequest($"audio_url is an absolute http(s) URL of an mp3 or wav file; {usage}");
        }

        return body.CallControlId is { } leg && !TelnyxIds.IsValid(leg)
            ? BadRequest(ControlEndpoints.NotAnId(leg))
            : await RunAsync(context, id, "play", new OwnerAction(OwnerActionKind.Play, body.CallControlId) { AudioUrl = url }, control, ct);
    }

    internal static async Task<IResult> RecordingStartAsync(HttpContext context, string id, HttpRequest request, RoomControl control,
        IOptions<JsonOptions> json, CancellationToken ct)
    {
        const string usage = "the body must be {\"format\": \"mp3|wav\", \"channels\": \"single|dual\"} (both optional)";
        var (body, error) = await ReadAsync<RecordingStartRequest>(request, json.Value.SerializerOptions, usage, ct, optional: true);
        if (error is not null)
        {
            return BadRequest(error);
        }

        if (body?.Format is { } format && format is not ("mp3" or "wav"))
        {
            return BadRequest($"format is mp3 or wav; it is '{format}'");
        }

        if (body?.Channels is { } channels && channels is not ("single" or "dual"))
        {
            return BadRequest($"channels is single or dual; it is '{channels}'");
        }

        return await RunAsync(context, id, "recording/start",
            new OwnerAction(OwnerActionKind.RecordingStart) { Format = body?.Format, Channels = body?.Channels }, control, ct);
    }

    internal static async Task<IResult> RecordingsAsync(string id, RoomControl control, CancellationToken ct)
    {
        if (await control.SettingsAsync(id, ct) is null)
        {
            return NoSuchRoom(id);
        }

        var room = await control.GetAsync(id, ct);
        return TypedResults.Ok(new RecordingListView([.. room.Recordings.AsEnumerable().Reverse().Select(RecordingView.From)]));
    }

    internal static async Task<IResult> DownloadAsync(string id, RoomControl control, IRoomStore store, TelnyxClient telnyx, CancellationToken ct)
    {
        // Only the recordings of this server's rooms: the route is no window onto the whole Telnyx account.
        var known = TelnyxIds.IsValid(id) && (await store.ListAsync(ct)).Any(r => r.Recordings.Any(s => s.Id == id));
        if (!known)
        {
            return TypedResults.Problem($"no room has a recording '{id}'; GET /api/rooms/{{id}}/recordings lists them",
                statusCode: StatusCodes.Status404NotFound, title: "no such recording");
        }

        try
        {
            return await telnyx.GetRecordingLinkAsync(id, ct) is { } link
                ? TypedResults.Redirect(link.AbsoluteUri)
                : TypedResults.Problem($"Telnyx no longer has recording {id} (deleted, or past its retention)",
                    statusCode: StatusCodes.Status404NotFound, title: "recording gone");
        }
        catch (TelnyxCommandException ex)
        {
            return ControlApi.Problem(ActionOutcome.From(TelnyxCallControl.Failure(ex)));
        }
    }

    private static async Task<IResult> RunAsync(HttpContext context, string id, string action, OwnerAction input, RoomControl control,
        CancellationToken ct)
    {
        if (await control.SettingsAsync(id, ct) is null)
        {
            return NoSuchRoom(id);
        }

        var result = await control.RunAsync(id, input, ct);
        ControlAudit.Action(context, id, action, input.CallControlId ?? "-", result);
        return result.Kind switch
        {
            OutcomeKind.Done => TypedResults.Ok(new ModeratorActionView(action, id, "done", result.Detail ?? $"{action.Replace('/', ' ')} in room {id}: done")),
            OutcomeKind.NothingToDo => TypedResults.Ok(new ModeratorActionView(action, id, "nothing_to_do", result.Detail ?? "nothing to do")),
            OutcomeKind.NoConference => TypedResults.Problem($"room '{id}' has no live conference", statusCode: StatusCodes.Status409Conflict,
                title: "no conference"),
            OutcomeKind.Conflict => TypedResults.Problem(result.Detail, statusCode: StatusCodes.Status409Conflict, title: "not now"),
            _ => ControlApi.Problem(result),
        };
    }

    private const int MaxBodyBytes = 16 * 1024;

    /// <summary>The JSON body, or one line saying how it is wrong. An absent body is an error unless <paramref name="optional"/>.</summary>
    private static async Task<(T? Body, string? Error)> ReadAsync<T>(HttpRequest request, JsonSerializerOptions options, string usage,
        CancellationToken ct, bool optional = false) where T : class
    {
        if (request.ContentLength > MaxBodyBytes)
        {
            return (null, $"the body is over {MaxBodyBytes / 1024} KiB; {usage}");
        }

        using var buffer = new MemoryStream();
        await request.Body.CopyToAsync(buffer, ct);
        if (buffer.Length == 0)
        {
            return optional ? (null, null) : (null, usage);
        }

        var bytes = buffer.GetBuffer().AsMemory(0, (int)buffer.Length);
        if (buffer.Length > MaxBodyBytes || !Utf8.IsValid(bytes.Span))
        {
            return (null, $"the body is not UTF-8 JSON of at most {MaxBodyBytes / 1024} KiB; {usage}");
        }

        try
        {
            var body = JsonSerializer.Deserialize<T>(bytes.Span, options);
            return body is null && !optional ? (null, usage) : (body, null);
        }
        catch (JsonException ex)
        {
            return (null, $"the body is not valid JSON ({ex.Message.Split(" Path:")[0].TrimEnd('.')}); {usage}");
        }
    }

    private static ProblemHttpResult BadRequest(string detail) =>
        TypedResults.Problem(detail, statusCode: StatusCodes.Status400BadRequest, title: "bad request");

    private static ProblemHttpResult NoSuchRoom(string id) =>
        TypedResults.Problem($"there is no room '{id}'; GET /api/rooms lists them", statusCode: StatusCodes.Status404NotFound, title: "no such room");

    private static string Pascal(string route) =>
        string.Concat(route.Split('-', '/').Select(w => char.ToUpperInvariant(w[0]) + w[1..]));

    public sealed record SpeakRequest(string? Text, string? CallControlId = null);

    public sealed record PlayRequest(string? AudioUrl, string? CallControlId = null);

    public sealed record RecordingStartRequest(string? Format = null, string? Channels = null);
}

/// <summary>What a moderator's action came to. <paramref name="Outcome"/>: done or nothing_to_do.</summary>
public sealed record ModeratorActionView(string Action, string Room, string Outcome, string Message);

public sealed record RecordingListView(IReadOnlyList<RecordingView> Recordings);

public sealed record RecordingView(string Id, DateTimeOffset? StartedAt, DateTimeOffset? EndedAt, double? DurationSeconds, string? Format,
    string? Channels, string Download)
{
    public static RecordingView From(SavedRecording r) => new(r.Id, r.StartedAt, r.EndedAt, r.DurationSeconds, r.Format, r.Channels,
        $"/api/recordings/{Uri.EscapeDataString(r.Id)}/download");
}
