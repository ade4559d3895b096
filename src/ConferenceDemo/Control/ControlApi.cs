using ConferenceDemo.Rooms;
using Microsoft.AspNetCore.Http.HttpResults;

namespace ConferenceDemo.Control;

/// <summary>
/// The control API for scripts and a dashboard: JSON in and out, POST for every action, Problem Details on errors,
/// described in /openapi/v1.json. Owner only, like the GET URLs.
/// </summary>
public static class ControlApi
{
    public static RouteGroupBuilder MapControlApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api").WithTags("Control API").RequireControlAccess();

        api.MapGet("/conference", GetConferenceAsync).WithName("GetConference").WithSummary("The conference and its participants");
        foreach (var action in ControlActions.Participant)
        {
            api.MapPost($"/participants/{{callControlId}}/{action.Name}",
                    (string callControlId, RoomControl control, CancellationToken ct) => RunAsync(action, callControlId, control, ct))
                .WithName($"Post{action.PascalName}")
                .WithSummary(action.Summary)
                .ProducesProblem(StatusCodes.Status404NotFound)
                .ProducesProblem(StatusCodes.Status410Gone)
                .ProducesProblem(StatusCodes.Status502BadGateway)
                .ProducesProblem(StatusCodes.Status503ServiceUnavailable)
                .ProducesProblem(StatusCodes.Status504GatewayTimeout);
        }

        api.MapPost("/calls", PullAsync).WithName("PostCall").WithSummary("Dial a number into the conference (pull)")
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status502BadGateway)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable)
            .ProducesProblem(StatusCodes.Status504GatewayTimeout)
            .RequireRateLimiting(ControlExtensions.PullPolicy);
        return api;
    }

    internal static async Task<Ok<ConferenceView>> GetConferenceAsync(RoomControl control, CancellationToken ct) =>
        TypedResults.Ok(ConferenceView.From(await control.GetAsync(control.DefaultRoom, ct)));

    internal static Task<Results<Ok<ActionView>, ProblemHttpResult>> RunAsync(ParticipantAction action, string callControlId,
        RoomControl control, CancellationToken ct) => RunInAsync(action, control.DefaultRoom, callControlId, control, ct);

    internal static async Task<Results<Ok<ActionView>, ProblemHttpResult>> RunInAsync(ParticipantAction action, string roomId, string callControlId,
        RoomControl control, CancellationToken ct)
    {
        var result = await action.RunAsync(control, roomId, callControlId, ct);
        return result.Kind == OutcomeKind.Done
            ? TypedResults.Ok(new ActionView(action.Name, callControlId, "done", action.SuccessText(callControlId)))
            : Problem(result);
    }

    internal static Task<Results<Accepted<CallView>, ProblemHttpResult>> PullAsync(PullRequest? request, RoomControl control,
        CancellationToken ct) => PullIntoAsync(control.DefaultRoom, request, control, ct);

    internal static async Task<Results<Accepted<CallView>, ProblemHttpResult>> PullIntoAsync(string roomId, PullRequest? request, RoomControl control,
        CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(request?.Number))
        {
            return TypedResults.Problem("the body must be {\"number\": \"+15551234567\"}", statusCode: StatusCodes.Status400BadRequest,
                title: "bad request");
        }

        ParticipantRole role;
        switch (request.Role)
        {
            case null or "member": role = ParticipantRole.Member; break;
            case "moderator": role = ParticipantRole.Moderator; break;
            default:
                return TypedResults.Problem($"role is member or moderator; it is '{request.Role}'", statusCode: StatusCodes.Status400BadRequest,
                    title: "bad request");
        }

        var result = await control.RunAsync(roomId, new OwnerAction(OwnerActionKind.Pull, Number: request.Number) { Role = role }, ct);
        return result.Kind == OutcomeKind.Done
            ? TypedResults.Accepted((string?)null, new CallView(request.Number, result.CallControlId, "calling", $"calling {request.Number}"))
            : Problem(result);
    }

    internal static ProblemHttpResult Problem(ActionOutcome result)
    {
        var (status, title) = ControlActions.Failure(result);
        return TypedResults.Problem(result.Detail ?? title, statusCode: status, title: title);
    }
}
