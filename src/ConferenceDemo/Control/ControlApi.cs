using ConferenceDemo.Conference;
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
                    (HttpContext context, string callControlId, ConferenceControl control, CancellationToken ct) =>
                        RunAsync(context, action, callControlId, control, ct))
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
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType)
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status502BadGateway)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable)
            .ProducesProblem(StatusCodes.Status504GatewayTimeout)
            .RequireRateLimiting(ControlExtensions.PullPolicy);
        return api;
    }

    internal static async Task<Ok<ConferenceView>> GetConferenceAsync(ConferenceControl control, CancellationToken ct) =>
        TypedResults.Ok(ConferenceView.From(await control.ListAsync(ct)));

    internal static async Task<Results<Ok<ActionView>, ProblemHttpResult>> RunAsync(HttpContext context, ParticipantAction action,
        string callControlId, ConferenceControl control, CancellationToken ct)
    {
        var result = await action.Run(control, callControlId, ct);
        ControlAudit.Action(context, action.Name, callControlId, result);
        return result.Outcome == ControlOutcome.Done
            ? TypedResults.Ok(new ActionView(action.Name, callControlId, "done", action.SuccessText(callControlId)))
            : Problem(result);
    }

    internal static async Task<Results<Accepted<CallView>, ProblemHttpResult>> PullAsync(HttpContext context, PullRequest? request,
        ConferenceControl control, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(request?.Number))
        {
            return TypedResults.Problem("the body must be {\"number\": \"+15551234567\"}", statusCode: StatusCodes.Status400BadRequest,
                title: "bad request");
        }

        var result = await control.PullAsync(request.Number, ct);
        ControlAudit.Pull(context, request.Number, result);
        return result.Outcome == ControlOutcome.Done
            ? TypedResults.Accepted((string?)null, new CallView(request.Number, result.CallControlId, "calling", $"calling {request.Number}"))
            : Problem(result);
    }

    private static ProblemHttpResult Problem(ControlResult result)
    {
        var (status, title) = ControlActions.Failure(result);
        return TypedResults.Problem(result.Detail ?? title, statusCode: status, title: title);
    }
}
