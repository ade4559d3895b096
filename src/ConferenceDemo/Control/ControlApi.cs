using System.Text.Json;
using System.Text.Unicode;
using ConferenceDemo.Rooms;
using ConferenceDemo.Telnyx;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Options;
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

        api.MapGet("/conference", GetConferenceAsync).WithName("GetConference").WithSummary("The conference and its participants")
            .WithMetadata(new ReadOnlyControlRoute());
        foreach (var action in ControlActions.Participant)
        {
            api.MapPost($"/participants/{{callControlId}}/{action.Name}",
                    (HttpContext context, string callControlId, RoomControl control, CancellationToken ct) =>
                        RunAsync(context, action, callControlId, control, ct))
                .ProducesProblem(StatusCodes.Status400BadRequest)
                .ProducesProblem(StatusCodes.Status403Forbidden)
                .ProducesProblem(StatusCodes.Status415UnsupportedMediaType)
                .WithName($"Post{action.PascalName}")
                .WithSummary(action.Summary)
                .ProducesProblem(StatusCodes.Status404NotFound)
                .ProducesProblem(StatusCodes.Status410Gone)
                .ProducesProblem(StatusCodes.Status502BadGateway)
                .ProducesProblem(StatusCodes.Status503ServiceUnavailable)
                .ProducesProblem(StatusCodes.Status504GatewayTimeout);
        }

        api.MapPost("/calls", PullAsync).WithName("PostCall").WithSummary("Dial a number into the conference (pull)")
            .Accepts<PullRequest>("application/json")
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType)
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status502BadGateway)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable)
            .ProducesProblem(StatusCodes.Status504GatewayTimeout)
            .RequireRateLimiting(ControlExtensions.PullPolicy);
        return api;
    }

    internal static async Task<Ok<ConferenceView>> GetConferenceAsync(RoomControl control, CancellationToken ct) =>
        TypedResults.Ok(ConferenceView.From(await control.GetAsync(control.DefaultRoom, ct)));

    internal static Task<Results<Ok<ActionView>, ProblemHttpResult>> RunAsync(HttpContext context, ParticipantAction action, string callControlId,
        RoomControl control, CancellationToken ct) => RunInAsync(context, action, control.DefaultRoom, callControlId, control, ct);

    internal static async Task<Results<Ok<ActionView>, ProblemHttpResult>> RunInAsync(HttpContext context, ParticipantAction action, string roomId,
        string callControlId, RoomControl control, CancellationToken ct)
    {
        if (!TelnyxIds.IsValid(callControlId))
        {
            return TypedResults.Problem(ControlEndpoints.NotAnId(callControlId), statusCode: StatusCodes.Status400BadRequest, title: "bad request");
        }

        var result = await action.RunAsync(control, roomId, callControlId, ct);
        ControlAudit.Action(context, roomId, action.Name, callControlId, result);
        return result.Kind == OutcomeKind.Done
            ? TypedResults.Ok(new ActionView(action.Name, callControlId, "done", action.SuccessText(callControlId)))
            : Problem(result);
    }

    /// <summary>
    /// The body is read here rather than bound, so that every way it can be wrong (not JSON, not UTF-8, the wrong
    /// types, too long) gets a 400 that says so; <see cref="SameOriginOnly"/> has already checked its media type.
    /// </summary>
    internal static Task<Results<Accepted<CallView>, ProblemHttpResult>> PullAsync(HttpRequest httpRequest, RoomControl control,
        IOptions<JsonOptions> json, CancellationToken ct) => PullIntoAsync(control.DefaultRoom, httpRequest, control, json, ct);

    internal static async Task<Results<Accepted<CallView>, ProblemHttpResult>> PullIntoAsync(string roomId, HttpRequest httpRequest,
        RoomControl control, IOptions<JsonOptions> json, CancellationToken ct)
    {
        var (request, error) = await ReadPullAsync(httpRequest, json.Value.SerializerOptions, ct);
        if (error is not null || string.IsNullOrWhiteSpace(request?.Number))
        {
            return TypedResults.Problem(error ?? Usage, statusCode: StatusCodes.Status400BadRequest, title: "bad request");
        }

        if (!RoleNames.TryParse(request.Role, out var role))
        {
            return TypedResults.Problem($"role is {RoleNames.Member} or {RoleNames.Moderator}; it is '{request.Role}'",
                statusCode: StatusCodes.Status400BadRequest, title: "bad request");
        }

        var result = await control.RunAsync(roomId, new OwnerAction(OwnerActionKind.Pull, Number: request.Number) { Role = role }, ct);
        ControlAudit.Pull(httpRequest.HttpContext, roomId, request.Number, result);
        return result.Kind == OutcomeKind.Done
            ? TypedResults.Accepted((string?)null, new CallView(request.Number, result.CallControlId, "calling", $"calling {request.Number}"))
            : Problem(result);
    }

    private const string Usage = "the body must be {\"number\": \"+15551234567\"}";
    private const int MaxPullBodyBytes = 16 * 1024;

    private static async Task<(PullRequest? Request, string? Error)> ReadPullAsync(HttpRequest request, JsonSerializerOptions options,
        CancellationToken ct)
    {
        if (request.ContentLength > MaxPullBodyBytes)
        {
            return (null, $"the body is over {MaxPullBodyBytes / 1024} KiB; {Usage}");
        }

        using var buffer = new MemoryStream();
        await request.Body.CopyToAsync(buffer, ct);
        if (buffer.Length == 0)
        {
            return (null, Usage);
        }

        if (buffer.Length > MaxPullBodyBytes || !Utf8.IsValid(buffer.GetBuffer().AsSpan(0, (int)buffer.Length)))
        {
            return (null, $"the body is not UTF-8 JSON of at most {MaxPullBodyBytes / 1024} KiB; {Usage}");
        }

        try
        {
            return (JsonSerializer.Deserialize<PullRequest>(buffer.GetBuffer().AsSpan(0, (int)buffer.Length), options), null);
        }
        catch (JsonException ex)
        {
            // The serializer says where it stopped (line and byte), never more than the body itself.
            return (null, $"the body is not valid JSON ({ex.Message.Split(" Path:")[0].TrimEnd('.')}); {Usage}");
        }
    }

    internal static ProblemHttpResult Problem(ActionOutcome result)
    {
        var (status, title) = ControlActions.Failure(result);
        return TypedResults.Problem(result.Detail ?? title, statusCode: status, title: title);
    }
}
