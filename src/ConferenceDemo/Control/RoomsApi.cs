using ConferenceDemo.Rooms;
using ConferenceDemo.Rooms.Processing;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Options;

namespace ConferenceDemo.Control;

/// <summary>
/// The rooms: list, read, create or replace, delete, and act in one (participant actions, pull). Owner only. A room
/// created here lasts as long as the store; the default room and the settings' rooms are read-only here.
/// </summary>
public static class RoomsApi
{
    public static RouteGroupBuilder MapRoomsApi(this IEndpointRouteBuilder app)
    {
        var rooms = app.MapGroup("/api/rooms").WithTags("Rooms").RequireControlAccess();
        rooms.MapGet("/", ListAsync).WithName("ListRooms").WithSummary("Every room, with its conference and head count");
        rooms.MapGet("/{id}", GetAsync).WithName("GetRoom").WithSummary("One room and its participants")
            .ProducesProblem(StatusCodes.Status404NotFound);
        rooms.MapPut("/{id}", PutAsync).WithName("PutRoom").WithSummary("Create or replace a room")
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status409Conflict);
        rooms.MapDelete("/{id}", DeleteAsync).WithName("DeleteRoom").WithSummary("Delete a room that nobody is in")
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);

        foreach (var action in ControlActions.Participant)
        {
            rooms.MapPost($"/{{id}}/participants/{{callControlId}}/{action.Name}",
                    (HttpContext context, string id, string callControlId, RoomControl control, CancellationToken ct) => InRoomAsync(id, control, ct,
                        () => ControlApi.RunInAsync(context, action, id, callControlId, control, ct)))
                .WithName($"PostRoom{action.PascalName}")
                .WithSummary($"{action.Summary} in a room")
                .ProducesProblem(StatusCodes.Status404NotFound)
                .ProducesProblem(StatusCodes.Status410Gone)
                .ProducesProblem(StatusCodes.Status502BadGateway)
                .ProducesProblem(StatusCodes.Status503ServiceUnavailable)
                .ProducesProblem(StatusCodes.Status504GatewayTimeout);
        }

        rooms.MapPost("/{id}/calls", (string id, HttpRequest request, RoomControl control, IOptions<JsonOptions> json, CancellationToken ct) =>
                InRoomAsync(id, control, ct, () => ControlApi.PullIntoAsync(id, request, control, json, ct)))
            .WithName("PostRoomCall").WithSummary("Dial a number into a room, as a member or a moderator")
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status502BadGateway)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable)
            .RequireRateLimiting(ControlExtensions.PullPolicy);
        rooms.MapModeratorApi(app);
        return rooms;
    }

    internal static async Task<Ok<RoomListView>> ListAsync(RoomControl control, CancellationToken ct)
    {
        var rooms = new List<RoomSummaryView>();
        foreach (var settings in await control.RoomsAsync(ct))
        {
            var room = await control.GetAsync(settings.Id, ct);
            rooms.Add(new RoomSummaryView(settings.Id, settings.Name ?? settings.Id, settings.DialIn, LiveConference(room),
                room.Participants.Count, room.Locked));
        }

        return TypedResults.Ok(new RoomListView(rooms));
    }

    internal static async Task<Results<Ok<RoomView>, ProblemHttpResult>> GetAsync(string id, RoomControl control, CancellationToken ct) =>
        await control.SettingsAsync(id, ct) is { } settings
            ? TypedResults.Ok(RoomView.From(settings, await control.GetAsync(id, ct)))
            : NoSuchRoom(id);

    internal static async Task<Results<Ok<RoomView>, Created<RoomView>, ValidationProblem, ProblemHttpResult>> PutAsync(string id,
        RoomRequest? request, RoomControl control, CancellationToken ct)
    {
        if (request is null)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["body"] = ["the body must be a JSON object of room settings"] });
        }

        var options = request.ToOptions();
        var problems = RoomOptionsRules.Problems(id, options).GroupBy(p => p.Field).ToDictionary(g => g.Key, g => g.Select(p => p.Message).ToArray());
        if (problems.Count == 0 && await control.Directory.ClaimantAsync(options.DialInNumbers, id, ct) is { } claimant)
        {
            problems["dial_in"] = [$"a number in dial_in already reaches room '{claimant}'"];
        }

        if (problems.Count > 0)
        {
            return TypedResults.ValidationProblem(problems, detail: string.Join("; ", problems.Select(p => $"{p.Key}: {string.Join(", ", p.Value)}")));
        }

        if (control.Directory.IsConfigured(id))
        {
            return TypedResults.Problem($"room '{id}' is defined in the server's settings; change it there", statusCode: StatusCodes.Status409Conflict,
                title: "room defined in settings");
        }

        var existed = await control.SettingsAsync(id, ct) is not null;
        var settings = control.Directory.From(id, options);
        if (await control.Catalog.SaveAsync(new CatalogRoom(id, options), ct) is { } taken)
        {
            // Claimed at the same moment, through another instance: the store keeps one room per number.
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["dial_in"] = [$"a number in dial_in already reaches room '{taken}'"] },
                detail: $"dial_in: a number in dial_in already reaches room '{taken}'");
        }

        var view = RoomView.From(settings, await control.GetAsync(id, ct));
        return existed ? TypedResults.Ok(view) : TypedResults.Created($"/api/rooms/{Uri.EscapeDataString(id)}", view);
    }

    internal static async Task<Results<NoContent, ProblemHttpResult>> DeleteAsync(string id, RoomControl control, CancellationToken ct)
    {
        if (await control.SettingsAsync(id, ct) is null)
        {
            return NoSuchRoom(id);
        }

        if (control.Directory.IsConfigured(id))
        {
            return TypedResults.Problem($"room '{id}' is defined in the server's settings; remove it there", statusCode: StatusCodes.Status409Conflict,
                title: "room defined in settings");
        }

        if ((await control.GetAsync(id, ct)).Participants.Count > 0)
        {
            return TypedResults.Problem($"room '{id}' has participants; end its conference first", statusCode: StatusCodes.Status409Conflict,
                title: "room in use");
        }

        await control.Catalog.DeleteAsync(id, ct);
        return TypedResults.NoContent();
    }

    private static async Task<IResult> InRoomAsync<T>(string id, RoomControl control, CancellationToken ct, Func<Task<T>> act) where T : IResult =>
        await control.SettingsAsync(id, ct) is null ? NoSuchRoom(id) : await act();

    private static ProblemHttpResult NoSuchRoom(string id) =>
        TypedResults.Problem($"there is no room '{id}'; GET /api/rooms lists them", statusCode: StatusCodes.Status404NotFound, title: "no such room");

    private static string? LiveConference(Room room) => room.Phase == ConferencePhase.Live ? room.ConferenceId : null;

    /// <summary>The body of PUT /api/rooms/{id}. Absent values take the server's defaults.</summary>
    public sealed record RoomRequest(string? Name, IReadOnlyList<string>? DialIn, string? Pin, string? ModeratorPin, int? MaxParticipants,
        string? Beep, bool? JoinMuted, bool? WaitForModerator, bool? EndWhenModeratorLeaves, string? HoldAudioUrl,
        string? FirstCallerGreeting = null, string? LaterCallerGreeting = null, string? Voice = null, string? Language = null,
        bool? AnnounceRecording = null, int? MaxDurationMinutes = null)
    {
        public RoomOptions ToOptions() => new()
        {
            Name = Name,
            DialIn = DialIn is null ? null : string.Join(',', DialIn),
            Pin = Pin,
            ModeratorPin = ModeratorPin,
            MaxParticipants = MaxParticipants,
            Beep = Beep,
            JoinMuted = JoinMuted ?? false,
            WaitForModerator = WaitForModerator ?? false,
            EndWhenModeratorLeaves = EndWhenModeratorLeaves ?? false,
            HoldAudioUrl = HoldAudioUrl,
            FirstCallerGreeting = FirstCallerGreeting,
            LaterCallerGreeting = LaterCallerGreeting,
            Voice = Voice,
            Language = Language,
            AnnounceRecording = AnnounceRecording ?? true,
            MaxDurationMinutes = MaxDurationMinutes,
        };
    }
}

public sealed record RoomListView(IReadOnlyList<RoomSummaryView> Rooms);

public sealed record RoomSummaryView(string Id, string Name, IReadOnlyList<string> DialIn, string? ConferenceId, int ParticipantCount, bool Locked);

/// <summary>A room, its settings (never its PINs: only whether it has them) and its participants.</summary>
public sealed record RoomView(string Id, string Name, IReadOnlyList<string> DialIn, string? ConferenceId, bool Locked,
    IReadOnlyList<RoomParticipantView> Participants)
{
    public bool HasPin { get; init; }

    public bool HasModeratorPin { get; init; }

    public int? MaxParticipants { get; init; }

    public string? Beep { get; init; }

    public bool JoinMuted { get; init; }

    public bool WaitForModerator { get; init; }

    public bool EndWhenModeratorLeaves { get; init; }

    public string? HoldAudioUrl { get; init; }

    public bool AnnounceRecording { get; init; }

    public int? MaxDurationMinutes { get; init; }

    /// <summary>The room's own recording: off, on or paused.</summary>
    public string Recording { get; init; } = "off";

    /// <summary>The participant who has the floor, if any.</summary>
    public string? Speaker { get; init; }

    public static RoomView From(RoomSettings settings, Room room) =>
        new(settings.Id, settings.Name ?? settings.Id, settings.DialIn, room.Phase == ConferencePhase.Live ? room.ConferenceId : null, room.Locked,
            [.. room.Participants.Select(p => RoomParticipantView.From(p) with { Talking = p.CallControlId == room.Speaker })])
        {
            AnnounceRecording = settings.AnnounceRecording,
            MaxDurationMinutes = settings.MaxDurationMinutes,
            Recording = room.Recording.ToString().ToLowerInvariant(),
            Speaker = room.Speaker,
            HasPin = settings.Pin is not null,
            HasModeratorPin = settings.ModeratorPin is not null,
            MaxParticipants = settings.MaxParticipants,
            Beep = settings.Beep,
            JoinMuted = settings.JoinMuted,
            WaitForModerator = settings.WaitForModerator,
            EndWhenModeratorLeaves = settings.EndWhenModeratorLeaves,
            HoldAudioUrl = settings.HoldAudioUrl,
        };
}

/// <param name="Role">member or moderator.</param>
/// <param name="Status">answered, entering_pin, joining or in_room.</param>
public sealed record RoomParticipantView(string CallControlId, string Number, string Role, string Status, bool Muted, bool OnHold,
    bool Recording, bool Dialed)
{
    /// <summary>This participant has the floor (the latest conference.floor.changed).</summary>
    public bool Talking { get; init; }

    public static RoomParticipantView From(Participant p) => new(p.CallControlId, p.Number,
        RoleNames.Of(p.Role), ParticipantView.StatusName(p.Status), p.Muted, p.OnHold, p.Recording, p.Dialed);
}
