using ConferenceDemo.Rooms;
using Microsoft.AspNetCore.Http.HttpResults;

namespace ConferenceDemo.Control;

/// <summary>GET /api/rooms and /api/rooms/{id}: every room this server runs, and one room with its participants.</summary>
public static class RoomsApi
{
    public static RouteGroupBuilder MapRoomsApi(this IEndpointRouteBuilder app)
    {
        var rooms = app.MapGroup("/api/rooms").WithTags("Rooms").RequireControlAccess();
        rooms.MapGet("/", ListAsync).WithName("ListRooms").WithSummary("Every room, with its conference and head count");
        rooms.MapGet("/{id}", GetAsync).WithName("GetRoom").WithSummary("One room and its participants")
            .ProducesProblem(StatusCodes.Status404NotFound);
        return rooms;
    }

    internal static async Task<Ok<RoomListView>> ListAsync(RoomControl control, CancellationToken ct)
    {
        var rooms = new List<RoomSummaryView>();
        foreach (var settings in control.Rooms)
        {
            var room = await control.GetAsync(settings.Id, ct);
            rooms.Add(new RoomSummaryView(settings.Id, settings.Name ?? settings.Id, settings.DialIn, LiveConference(room),
                room.Participants.Count, room.Locked));
        }

        return TypedResults.Ok(new RoomListView(rooms));
    }

    internal static async Task<Results<Ok<RoomView>, ProblemHttpResult>> GetAsync(string id, RoomControl control, CancellationToken ct)
    {
        if (control.Settings(id) is not { } settings)
        {
            return TypedResults.Problem($"there is no room '{id}'; GET /api/rooms lists them", statusCode: StatusCodes.Status404NotFound,
                title: "no such room");
        }

        var room = await control.GetAsync(id, ct);
        return TypedResults.Ok(new RoomView(settings.Id, settings.Name ?? settings.Id, settings.DialIn, LiveConference(room), room.Locked,
            [.. room.Participants.Select(RoomParticipantView.From)]));
    }

    private static string? LiveConference(Room room) => room.Phase == ConferencePhase.Live ? room.ConferenceId : null;
}

public sealed record RoomListView(IReadOnlyList<RoomSummaryView> Rooms);

public sealed record RoomSummaryView(string Id, string Name, IReadOnlyList<string> DialIn, string? ConferenceId, int ParticipantCount, bool Locked);

public sealed record RoomView(string Id, string Name, IReadOnlyList<string> DialIn, string? ConferenceId, bool Locked,
    IReadOnlyList<RoomParticipantView> Participants);

/// <param name="Role">member or moderator.</param>
/// <param name="Status">answered, entering_pin, joining or in_room.</param>
public sealed record RoomParticipantView(string CallControlId, string Number, string Role, string Status, bool Muted, bool OnHold,
    bool Recording, bool Dialed)
{
    public static RoomParticipantView From(Participant p) => new(p.CallControlId, p.Number,
        p.Role == ParticipantRole.Moderator ? "moderator" : "member", ParticipantView.StatusName(p.Status), p.Muted, p.OnHold, p.Recording, p.Dialed);
}
